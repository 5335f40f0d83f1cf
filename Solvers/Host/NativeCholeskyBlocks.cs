namespace GpuNngp.Solvers.Host;

/// <summary>
/// <see cref="ICholeskyBlocks"/> on one native n×n buffer through the system's LAPACK dpotrf and BLAS
/// dtrsm, dsyrk and dgemm (<see cref="NativeBlas"/>), each call on a sub-block with leading dimension n.
/// </summary>
internal sealed unsafe class NativeCholeskyBlocks(HostBuffer matrix, int n) : ICholeskyBlocks
{
    private readonly double* _a = matrix.Pointer;
    private readonly int _lda = Math.Max(1, n);

    public int FactorDiagonal(int k, int order)
    {
        byte uplo = (byte)'L';
        int lda = _lda, info = 0;
        NativeBlas.Dpotrf(&uplo, &order, At(k, k), &lda, &info, 1);
        if (info < 0)
        {
            throw new ArgumentException($"dpotrf rejected argument {-info}");
        }

        return info;
    }

    public void SolveBelow(int k, int order, int rows)
    {
        byte side = (byte)'R', uplo = (byte)'L', trans = (byte)'T', diag = (byte)'N';
        double one = 1;
        int lda = _lda;
        NativeBlas.Dtrsm(&side, &uplo, &trans, &diag, &rows, &order, &one, At(k, k), &lda, At(k + order, k), &lda, 1, 1, 1, 1);
    }

    public void UpdateDiagonal(int j, int width, int k, int order)
    {
        byte uplo = (byte)'L', trans = (byte)'N';
        double minusOne = -1, one = 1;
        int lda = _lda;
        NativeBlas.Dsyrk(&uplo, &trans, &width, &order, &minusOne, At(j, k), &lda, &one, At(j, j), &lda, 1, 1);
    }

    public void UpdateBelow(int i, int rows, int j, int width, int k, int order)
    {
        byte ta = (byte)'N', tb = (byte)'T';
        double minusOne = -1, one = 1;
        int lda = _lda;
        NativeBlas.Dgemm(&ta, &tb, &rows, &width, &order, &minusOne, At(i, k), &lda, At(j, k), &lda, &one, At(i, j), &lda, 1, 1);
    }

    private double* At(int row, int column) => _a + ColumnMajor.Index(row, column, _lda);
}
