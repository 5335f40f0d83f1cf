using GpuNngp.Engine.Architecture;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// The kernel entries of a plan no provider runs yet (the convolutional layers), from the plan's
/// host reference (<see cref="ReferenceKernel"/>), copied into the provider's buffers: the fit, the
/// jitter loop and the prediction around them are the pipeline's own. The training record is kept
/// for the jitter loop's rebuilds.
/// </summary>
internal sealed class ReferenceSource(IComputeProvider provider, FitRequest request) : IKernelSource
{
    // The caller's matrix may change after the fit; the test tiles need the training inputs as fitted.
    private readonly Matrix<double> _x = request.X.Clone();
    private KernelRecord? _train;

    public double[] TrainDiagonal { get; private set; } = [];

    private bool Ntk => request.Kind == KernelKind.Ntk;

    /// <summary>The host reference in one piece: checked for cancellation before it starts, not inside.</summary>
    public void BuildTrain(ProviderBuffer target, StageTimings timings, IProgress<StageProgress>? progress, ParallelOptions parallelism) =>
        timings.Time(Stage.LayerMap, () =>
        {
            parallelism.CancellationToken.ThrowIfCancellationRequested();
            _train ??= ReferenceKernel.Record(request.Plan, _x, null, request.Kind);
            TrainDiagonal = (Ntk ? _train.RowNtkDiagonal : _train.RowVariance).ToArray();
            provider.CopyIn(target, (Ntk ? _train.Ntk : _train.Nngp).Span);
            provider.Synchronize();
            progress?.Report(new StageProgress(Stage.LayerMap, 1));
        });

    public double[] BuildCross(ProviderBuffer cross, ProviderBuffer testInputs, double[] tileInputs, int start, int count, ProviderBuffer? cachedGram, ParallelOptions parallelism)
    {
        parallelism.CancellationToken.ThrowIfCancellationRequested();
        var tile = Matrix<double>.Build.Dense(count, _x.ColumnCount, tileInputs);
        KernelRecord record = ReferenceKernel.Record(request.Plan, _x, tile, request.Kind);
        provider.CopyIn(cross, (Ntk ? record.Ntk : record.Nngp).Span);
        provider.Synchronize();
        return (Ntk ? record.ColumnNtkDiagonal : record.ColumnVariance).ToArray();
    }

    /// <summary>Empty: the reference reads X itself.</summary>
    public double[] CrossState => [];

    public void PrepareCross(double[] crossState)
    {
    }

    public void Dispose()
    {
    }
}
