namespace GpuNngp.Solvers;

/// <summary>
/// A right-looking blocked Cholesky factorisation (lower, in place) written once over
/// <see cref="ICholeskyBlocks"/>: factor a diagonal block, solve the panel below it, subtract the
/// panel's outer product from the trailing matrix in column slabs. It exists so that a factorisation
/// can be cancelled and can report progress: LAPACK's and cuSOLVER's single potrf calls can do
/// neither. The token is checked before every diagonal block and every slab of the trailing update,
/// so the longest uninterrupted step is one slab (a gemm of at most n × <c>slab</c> × <c>block</c>).
/// </summary>
/// <remarks>
/// The arithmetic is LAPACK's own blocked dpotrf (dpotrf2 on the diagonal blocks, dtrsm, dsyrk/dgemm)
/// in another grouping of the same sums, so the factor agrees with the single call to rounding.
/// </remarks>
internal static class BlockedCholesky
{
    /// <summary>The host's diagonal block: potrf on 256 × 256, and a trsm of N × 256 below it (3.2 GFLOP at N = 50,000).</summary>
    public const int HostBlock = 256;

    /// <summary>
    /// The host's slab of the trailing update: at N = 50,000 the largest step is a 50,000 × 128 × 256
    /// dgemm, 3.3 GFLOP, like the panel's trsm (docs/benchmarks.md has their times on 2 cores).
    /// </summary>
    public const int HostSlab = 128;

    /// <summary>Reports at most this many times per factorisation (plus the final 1).</summary>
    private const int Reports = 200;

    /// <summary>
    /// Factorises the n×n matrix of <paramref name="blocks"/>; returns 0, or the order of the leading
    /// minor that is not positive definite (as potrf's info). <paramref name="progress"/> receives the
    /// fraction of the factorisation's flops done, monotone, ending at 1 on success.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the matrix is then partly factorised.</exception>
    public static int Factor(ICholeskyBlocks blocks, int n, int block, int slab, Action<double>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slab, 1);
        double total = 0;
        for (int k = 0; k < n; k += block)
        {
            int below = Math.Max(0, n - k - block);
            total += StepWork(Math.Min(block, n - k), below, updatedTrailing: below);
        }

        double finished = 0, reported = 0;
        for (int k = 0; k < n; k += block)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int order = Math.Min(block, n - k);
            int failed = blocks.FactorDiagonal(k, order);
            if (failed != 0)
            {
                return k + failed;
            }

            int below = n - k - order;
            if (below > 0)
            {
                blocks.SolveBelow(k, order, below);
                for (int j = k + order; j < n; j += slab)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int width = Math.Min(slab, n - j);
                    blocks.UpdateDiagonal(j, width, k, order);
                    int rows = n - j - width;
                    if (rows > 0)
                    {
                        blocks.UpdateBelow(j + width, rows, j, width, k, order);
                    }

                    Report(finished + StepWork(order, below, updatedTrailing: below - rows));
                }
            }

            finished += StepWork(order, below, updatedTrailing: below);
            Report(finished);
        }

        progress?.Invoke(1);
        return 0;

        void Report(double done)
        {
            double fraction = Math.Min(1, done / Math.Max(1, total));
            if (progress is not null && fraction - reported >= 1.0 / Reports && fraction < 1)
            {
                reported = fraction;
                progress(fraction);
            }
        }
    }

    /// <summary>
    /// Flops of one block step whose trailing update has covered its first <paramref name="updatedTrailing"/>
    /// columns: potrf of the block (order³/3), the panel's trsm (below·order²) and the slabs of the
    /// update done (syrk + gemm: order·(below² − left²), left = the columns still to update).
    /// </summary>
    private static double StepWork(int order, int below, int updatedTrailing)
    {
        double left = below - updatedTrailing;
        return (double)order * order * order / 3 + (double)below * order * order + order * ((double)below * below - left * left);
    }
}
