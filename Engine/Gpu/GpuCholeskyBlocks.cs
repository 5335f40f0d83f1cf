using GpuNngp.Solvers;
using GpuNngp.Solvers.Cuda;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// <see cref="ICholeskyBlocks"/> on one n×n device matrix through cuSOLVER potrf (on the diagonal
/// blocks) and cuBLAS trsm, syrk and gemm, all queued on the device's stream. Each diagonal block
/// reads its devInfo back, which waits for the stream: so the host never runs more than one block
/// step ahead of the device, and a cancellation between blocks stops the work queued next.
/// </summary>
/// <param name="blas">The device's cuBLAS and cuSOLVER handles on its stream.</param>
/// <param name="matrix">The n×n column-major matrix on the device, factorised in place (lower triangle).</param>
/// <param name="n">The matrix's order.</param>
/// <param name="workspace">cuSOLVER potrf's device workspace.</param>
/// <param name="workspaceLength">Its length in doubles.</param>
/// <param name="info">A device int for potrf's devInfo.</param>
/// <param name="readInfo">Copies the devInfo int back after the stream drains.</param>
internal sealed class GpuCholeskyBlocks(CudaDenseLinearAlgebra blas, nint matrix, int n, nint workspace, int workspaceLength, nint info, Func<int> readInfo)
    : ICholeskyBlocks
{
    /// <summary>
    /// Diagonal blocks of 1,024 and the whole trailing matrix as one slab: at N = 50,000 one step is a
    /// syrk of about 2.6 TFLOP at most, about 0.05 s at the H100's 55 TFLOP/s of dense FP64
    /// factorisations (DESIGN.md §6); not measured on a GPU.
    /// </summary>
    public const int Block = 1024;

    private readonly int _lda = Math.Max(1, n);

    public int FactorDiagonal(int k, int order)
    {
        blas.Potrf(order, At(k, k), _lda, workspace, workspaceLength, info);
        return readInfo();
    }

    public void SolveBelow(int k, int order, int rows) =>
        blas.TrsmLowerRightTransposed(rows, order, At(k, k), _lda, At(k + order, k), _lda);

    public void UpdateDiagonal(int j, int width, int k, int order) =>
        blas.Syrk(width, order, -1, At(j, k), _lda, 1, At(j, j), _lda);

    public void UpdateBelow(int i, int rows, int j, int width, int k, int order) =>
        blas.Gemm(false, true, rows, width, order, -1, At(i, k), _lda, At(j, k), _lda, 1, At(i, j), _lda);

    private nint At(int row, int column) => matrix + (nint)(ColumnMajor.Index(row, column, _lda) * sizeof(double));
}
