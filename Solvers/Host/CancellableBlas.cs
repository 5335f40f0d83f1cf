namespace GpuNngp.Solvers.Host;

/// <summary>
/// The long BLAS calls of a fit and a prediction (the input Gram's dsyrk, a cross Gram's dgemm, the
/// variances' dtrsm) cut into steps of at most about <see cref="StepFlops"/> each, with the token
/// checked between them: a single call at N = 50,000 runs for seconds to minutes and cannot be
/// interrupted. The steps compute the same sums (dtrsm's in another grouping), so results agree with
/// the single calls to rounding. <see cref="NativeLinearAlgebra"/> uses them only when a token can be
/// cancelled.
/// </summary>
internal static unsafe class CancellableBlas
{
    /// <summary>Flops one step may take: about the 3.3 GFLOP of the factorisation's largest steps (docs/benchmarks.md).</summary>
    public const double StepFlops = 4e9;

    /// <summary>
    /// Entries one step may write: 64 MiB, where the output's pages are touched for the first time
    /// (330 ms for the 392 MB of the 7,000-point Gram in one call, on the shared 2-core machine).
    /// </summary>
    public const double StepEntries = 1 << 23;

    /// <summary>Row block and column group of the triangular solve: a step is a trsm and an n × 128 × 256 dgemm.</summary>
    private const int SolveRows = 256;

    private const int SolveColumns = 128;

    /// <summary>Lower triangle of C (n×n) = α·A·Aᵀ, A n×k, in column slabs: a syrk on the slab's diagonal block, a gemm below it.</summary>
    public static void SymmetricRankK(int n, int k, double alpha, double* a, double* c, CancellationToken cancellationToken)
    {
        int ld = Math.Max(1, n);
        int width = Width(Math.Min(StepFlops / (2.0 * Math.Max(1, n) * Math.Max(1, k)), StepEntries / Math.Max(1, n)), n);
        byte lower = (byte)'L', none = (byte)'N', transposed = (byte)'T';
        double zero = 0;
        for (int j = 0; j < n; j += width)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int w = Math.Min(width, n - j), rows = n - j - w;
            NativeBlas.Dsyrk(&lower, &none, &w, &k, &alpha, a + j, &ld, &zero, c + ColumnMajor.Index(j, j, ld), &ld, 1, 1);
            if (rows > 0)
            {
                NativeBlas.Dgemm(&none, &transposed, &rows, &w, &k, &alpha, a + j + w, &ld, a + j, &ld, &zero, c + ColumnMajor.Index(j + w, j, ld), &ld, 1, 1);
            }
        }
    }

    /// <summary>C (m×n) = α·op(A)·op(B) + β·C in slabs of C's columns.</summary>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double alpha, double* a, double* b, double beta, double* c, CancellationToken cancellationToken)
    {
        byte ta = transposeA ? (byte)'T' : (byte)'N', tb = transposeB ? (byte)'T' : (byte)'N';
        int lda = Math.Max(1, transposeA ? k : m), ldb = Math.Max(1, transposeB ? n : k), ldc = Math.Max(1, m);
        int width = Width(Math.Min(StepFlops / (2.0 * Math.Max(1, m) * Math.Max(1, k)), StepEntries / Math.Max(1, m)), n);
        for (int j = 0; j < n; j += width)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int w = Math.Min(width, n - j);

            // Columns j… of op(B): rows j… of B when B is transposed, its columns j… otherwise.
            double* slab = transposeB ? b + j : b + ColumnMajor.ColumnStart(j, ldb);
            NativeBlas.Dgemm(&ta, &tb, &m, &w, &k, &alpha, a, &lda, slab, &ldb, &beta, c + ColumnMajor.ColumnStart(j, ldc), &ldc, 1, 1);
        }
    }

    /// <summary>
    /// Solves L·X = B in place (L n×n lower, B n×nrhs) by column groups of B and, in each, row blocks:
    /// a trsm on the block, then a gemm that takes it out of the rows below.
    /// </summary>
    public static void LowerTriangularSolve(int n, double* factor, double* b, int nrhs, CancellationToken cancellationToken)
    {
        int ld = Math.Max(1, n);
        byte left = (byte)'L', lower = (byte)'L', none = (byte)'N';
        double one = 1, minusOne = -1;
        for (int first = 0; first < nrhs; first += SolveColumns)
        {
            int columns = Math.Min(SolveColumns, nrhs - first);
            double* group = b + ColumnMajor.ColumnStart(first, ld);
            for (int i = 0; i < n; i += SolveRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int order = Math.Min(SolveRows, n - i), rows = n - i - order;
                NativeBlas.Dtrsm(&left, &lower, &none, &none, &order, &columns, &one, factor + ColumnMajor.Index(i, i, ld), &ld, group + i, &ld, 1, 1, 1, 1);
                if (rows > 0)
                {
                    NativeBlas.Dgemm(&none, &none, &rows, &columns, &order, &minusOne, factor + ColumnMajor.Index(i + order, i, ld), &ld, group + i, &ld, &one, group + i + order, &ld, 1, 1);
                }
            }
        }
    }

    /// <summary>A slab width from a column budget: at least 16 columns (1 where there are fewer), at most all of them.</summary>
    private static int Width(double columns, int total) => (int)Math.Clamp(columns, Math.Min(16, Math.Max(1, total)), Math.Max(1, total));
}
