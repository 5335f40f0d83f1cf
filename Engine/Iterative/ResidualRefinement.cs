namespace GpuNngp.Engine.Iterative;

/// <summary>
/// Iterative refinement against the exact operator (Wilkinson; Carson and Higham 2018 for the mixed
/// precision): r = b − A·x with A the FP64 kernel recomputed, and while some column's ‖r_c‖ exceeds
/// tol·‖b_c‖, a correction A_s·d = r solved by PCG on the storage's operator A_s and added. With FP32
/// storage this turns a solve of Ã (off by 2⁻²⁴·|K|) into one of A: each round shrinks the error by
/// about ‖A⁻¹(Ã − A)‖, far below 1 where noise keeps A well conditioned. With recomputed storage it
/// checks the recursive residual once, and corrects its drift where there is any.
/// </summary>
internal static class ResidualRefinement
{
    /// <summary>Rounds of correction before the fit is refused.</summary>
    public const int MaxRounds = 4;

    /// <summary>The refined solution in place, the corrections made, the iterations they took, and the largest exact relative residual.</summary>
    public static (int Rounds, int Iterations, double Residual) Refine(
        KernelOperator exact, KernelOperator storage, PivotedCholeskyPreconditioner preconditioner, double[] b, double[] x, int columns,
        double tolerance, int maxIterations, PcgProgress progress, CancellationToken cancellationToken)
    {
        int n = exact.N;
        var norms = new double[columns];
        for (int c = 0; c < columns; c++)
        {
            double sum = 0;
            for (int i = c * n; i < (c + 1) * n; i++)
            {
                sum += b[i] * b[i];
            }

            norms[c] = Math.Sqrt(sum);
        }

        var residual = new double[(long)n * columns];
        int iterations = 0;
        for (int round = 0; ; round++)
        {
            exact.Apply(x, columns, residual, cancellationToken);
            var relative = new double[columns];
            for (int c = 0; c < columns; c++)
            {
                double sum = 0;
                for (int i = c * n; i < (c + 1) * n; i++)
                {
                    residual[i] = b[i] - residual[i];
                    sum += residual[i] * residual[i];
                }

                relative[c] = norms[c] == 0 ? 0 : Math.Sqrt(sum) / norms[c];
            }

            exact.Rows.Broadcast(relative);
            int[] open = [.. Enumerable.Range(0, columns).Where(c => relative[c] > tolerance)];
            if (open.Length == 0)
            {
                return (round, iterations, relative.Max());
            }

            if (round == MaxRounds)
            {
                throw new NngpNumericalException(
                    FormattableString.Invariant($"PCG: the solution's residual against the FP64 kernel is {relative.Max():G3} after {MaxRounds} refinements, above the tolerance {tolerance:G3}: K_DD + σε²I is too ill-conditioned for FP32 storage; add noise or use recomputed storage"),
                    "tolerance");
            }

            var gathered = new double[(long)n * open.Length];
            var tolerances = new double[open.Length];
            for (int k = 0; k < open.Length; k++)
            {
                Array.Copy(residual, (long)open[k] * n, gathered, (long)k * n, n);
                tolerances[k] = Math.Min(0.5, Math.Max(tolerance, 0.5 * tolerance / relative[open[k]]));
            }

            var request = new BlockConjugateGradients.Request("refinement", tolerances, open.Length, new HashSet<int>(), maxIterations);
            var correction = BlockConjugateGradients.Solve(storage, preconditioner, gathered, request, progress, cancellationToken);
            iterations += correction.Iterations;
            for (int k = 0; k < open.Length; k++)
            {
                long offset = (long)open[k] * n, own = (long)k * n;
                for (int i = 0; i < n; i++)
                {
                    x[offset + i] += correction.X[own + i];
                }
            }
        }
    }
}
