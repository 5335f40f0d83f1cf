namespace GpuNngp.Solvers;

/// <summary>
/// The two halves of a symmetric column-major n×n matrix in native memory: BLAS/LAPACK write and
/// read the lower triangle only, so a whole matrix (a kernel for the caller) or a backup of K_DD (the
/// jitter retries) lives in the upper one.
/// </summary>
internal static class SymmetricTriangles
{
    /// <summary>Copies the lower triangle onto the upper one, making the matrix whole.</summary>
    public static void MirrorLowerToUpper(HostBuffer matrix, int n) =>
        Copy(matrix, n, lowerToUpper: true);

    /// <summary>Restores the lower triangle from the upper copy (after a failed factorisation).</summary>
    public static void RestoreLowerFromUpper(HostBuffer matrix, int n) =>
        Copy(matrix, n, lowerToUpper: false);

    private static unsafe void Copy(HostBuffer matrix, int n, bool lowerToUpper)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (n < 0 || matrix.Length < ColumnMajor.Count(n, n))
        {
            throw new ArgumentException($"an {n}×{n} matrix needs {ColumnMajor.Count(n, n)} values; the buffer holds {matrix.Length}", nameof(matrix));
        }

        nint pointer = (nint)matrix.Pointer;
        Parallel.For(0, n, column =>
        {
            double* m = (double*)pointer;
            for (int row = column + 1; row < n; row++)
            {
                long lower = ColumnMajor.Index(row, column, n), upper = ColumnMajor.Index(column, row, n);
                if (lowerToUpper)
                {
                    m[upper] = m[lower];
                }
                else
                {
                    m[lower] = m[upper];
                }
            }
        });
        GC.KeepAlive(matrix); // the loop used the raw pointer
    }
}
