namespace GpuNngp.Engine.Iterative;

/// <summary>
/// Where a PCG fit reports its iterations: <see cref="PcgOptions.IterationProgress"/> gets each one with
/// its residual, the stage progress (<see cref="Stage.Solve"/>) the fraction of the way, on a log scale,
/// from a relative residual of 1 to the tolerance.
/// </summary>
internal sealed class PcgProgress(IProgress<PcgIteration>? iterations, IProgress<StageProgress>? stages)
{
    public void Report(BlockConjugateGradients.Request request, int iteration, double[] residuals, List<int> active)
    {
        if (iterations is null && stages is null)
        {
            return;
        }

        var primary = active.Where(c => c < request.PrimaryColumns).ToList();
        IEnumerable<int> shown = primary.Count > 0 ? primary : active.Count > 0 ? active : Enumerable.Range(0, request.PrimaryColumns);
        double residual = shown.Max(c => residuals[c]);
        iterations?.Report(new PcgIteration(request.System, iteration, residual, active.Count));
        double tolerance = request.Tolerances.Min();
        double fraction = residual <= tolerance ? 1 : Math.Clamp(Math.Log(residual) / Math.Log(tolerance), 0, 1);
        stages?.Report(new StageProgress(Stage.Solve, fraction));
    }
}
