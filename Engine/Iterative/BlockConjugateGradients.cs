namespace GpuNngp.Engine.Iterative;

/// <summary>
/// Preconditioned conjugate gradients on A·X = B for a block of right-hand sides at once: one product
/// A·P per iteration serves every column still iterating, each column with its own step lengths and
/// its own stop (‖r_c‖ ≤ tol_c·‖b_c‖, the recursive residual). The coefficients α_j, β_j of the columns
/// asked for are kept: they are the Lanczos tridiagonal of P^{-1/2}·A·P^{-1/2} started at
/// P^{-1/2}·b_c (Saad, Iterative Methods, §6.7), which stochastic Lanczos quadrature reads.
/// </summary>
internal static class BlockConjugateGradients
{
    /// <summary>What a solve gives back: X, the iterations it took, and the kept coefficients.</summary>
    public sealed record Result(double[] X, int Iterations, double[] RelativeResiduals, IReadOnlyDictionary<int, (List<double> Alpha, List<double> Beta)> Lanczos);

    /// <summary>What one solve needs besides A and the preconditioner.</summary>
    /// <param name="System">The name progress reports ("mean", "variance", "refinement").</param>
    /// <param name="Tolerances">Each column's relative tolerance.</param>
    /// <param name="PrimaryColumns">The first columns, whose residual progress reports while any of them runs.</param>
    /// <param name="LanczosColumns">Columns whose CG coefficients are kept.</param>
    /// <param name="MaxIterations">The most iterations before the solve is refused.</param>
    public sealed record Request(string System, double[] Tolerances, int PrimaryColumns, IReadOnlySet<int> LanczosColumns, int MaxIterations);

    public static Result Solve(
        KernelOperator a, PivotedCholeskyPreconditioner preconditioner, double[] b, Request request, PcgProgress progress, CancellationToken cancellationToken)
    {
        int n = a.N, columns = request.Tolerances.Length;
        var x = new double[(long)n * columns];
        var r = (double[])b.Clone();
        var p = (double[])b.Clone();
        preconditioner.ApplyInverse(p, columns);
        var rz = new double[columns];
        var norms = new double[columns];
        var residuals = new double[columns];
        var lanczos = request.LanczosColumns.ToDictionary(c => c, _ => (Alpha: new List<double>(), Beta: new List<double>()));
        var active = new List<int>();
        for (int c = 0; c < columns; c++)
        {
            norms[c] = Norm(b, c, n);
            rz[c] = Dot(r, p, c, n);
            residuals[c] = norms[c] == 0 ? 0 : 1;
            if (norms[c] > 0)
            {
                active.Add(c);
            }
        }

        int iteration = 0;
        double[] block = [], product = [];
        while (active.Count > 0)
        {
            if (iteration == request.MaxIterations)
            {
                throw new NngpNumericalException(
                    FormattableString.Invariant($"PCG ({request.System}) did not reach the relative residual {request.Tolerances.Take(request.PrimaryColumns).Max():G3} in {request.MaxIterations} iterations (it is at {active.Max(c => residuals[c]):G3}): raise MaxIterations, the preconditioner rank or the noise"),
                    "tolerance");
            }

            cancellationToken.ThrowIfCancellationRequested();
            iteration++;
            int width = active.Count;
            if (block.Length < (long)n * width)
            {
                block = new double[(long)n * width];
                product = new double[(long)n * width];
            }

            for (int k = 0; k < width; k++)
            {
                Array.Copy(p, (long)active[k] * n, block, (long)k * n, n);
            }

            a.Apply(block, width, product, cancellationToken);
            for (int k = 0; k < width; k++)
            {
                int c = active[k];
                double curvature = Dot(block, k, product, k, n);
                if (!(curvature > 0))
                {
                    throw new NngpNumericalException(
                        FormattableString.Invariant($"PCG ({request.System}) met pᵀAp = {curvature:G3} ≤ 0 at iteration {iteration}: K_DD + σε²I is not positive definite in floating point; add noise"),
                        "noise");
                }

                double step = rz[c] / curvature;
                long offset = (long)c * n, own = (long)k * n;
                for (int i = 0; i < n; i++)
                {
                    x[offset + i] += step * p[offset + i];
                    r[offset + i] -= step * product[own + i];
                }

                residuals[c] = Norm(r, c, n) / norms[c];
                if (lanczos.TryGetValue(c, out var coefficients))
                {
                    coefficients.Alpha.Add(step);
                }
            }

            // On MPI ranks rank 0's residuals decide for all: the same stops, the same iterations, on every rank.
            a.Rows.Broadcast(residuals);

            // z = P⁻¹r for the columns still iterating only, gathered into the block the product read.
            for (int k = 0; k < width; k++)
            {
                Array.Copy(r, (long)active[k] * n, block, (long)k * n, n);
            }

            preconditioner.ApplyInverse(block, width);
            for (int k = 0; k < width; k++)
            {
                int c = active[k];
                double next = Dot(r, c, block, k, n);
                double beta = next / rz[c];
                rz[c] = next;
                long offset = (long)c * n, own = (long)k * n;
                for (int i = 0; i < n; i++)
                {
                    p[offset + i] = block[own + i] + (beta * p[offset + i]);
                }

                if (lanczos.TryGetValue(c, out var coefficients) && residuals[c] > request.Tolerances[c])
                {
                    coefficients.Beta.Add(beta);
                }
            }

            active.RemoveAll(c => residuals[c] <= request.Tolerances[c]);
            progress.Report(request, iteration, residuals, active);
        }

        return new Result(x, iteration, residuals, lanczos.ToDictionary(e => e.Key, e => e.Value));
    }

    private static double Norm(double[] v, int column, int n) => Math.Sqrt(Dot(v, v, column, n));

    private static double Dot(double[] u, double[] v, int column, int n) => Dot(u, column, v, column, n);

    private static double Dot(double[] u, int uColumn, double[] v, int vColumn, int n)
    {
        ReadOnlySpan<double> a = u.AsSpan((int)((long)uColumn * n), n);
        ReadOnlySpan<double> b = v.AsSpan((int)((long)vColumn * n), n);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
