namespace GpuNngp.Solvers;

/// <summary>
/// The four dense operations a blocked lower Cholesky factorisation is made of, on one column-major
/// n×n matrix (leading dimension n) held by a backend: LAPACK/BLAS on the host, cuSOLVER/cuBLAS on a
/// GPU. <see cref="BlockedCholesky"/> drives them; an implementation only maps block coordinates to
/// its library's calls. Indices are rows/columns of the whole matrix.
/// </summary>
internal interface ICholeskyBlocks
{
    /// <summary>
    /// potrf of the <paramref name="order"/>×<paramref name="order"/> diagonal block at (k, k) in place;
    /// 0, or the order (within the block) of its leading minor that is not positive definite. A backend
    /// that queues its work returns only once the block is factorised.
    /// </summary>
    int FactorDiagonal(int k, int order);

    /// <summary>L₂₁ = A₂₁·L₁₁⁻ᵀ (trsm: right, lower, transposed) for the <paramref name="rows"/> rows below the diagonal block at (k, k).</summary>
    void SolveBelow(int k, int order, int rows);

    /// <summary>
    /// The lower triangle of the <paramref name="width"/>×<paramref name="width"/> diagonal block at (j, j)
    /// minus L[j.., k..]·L[j.., k..]ᵀ over the <paramref name="order"/> columns of the panel at k (syrk).
    /// </summary>
    void UpdateDiagonal(int j, int width, int k, int order);

    /// <summary>
    /// The <paramref name="rows"/>×<paramref name="width"/> block at (i, j) minus L[i.., k..]·L[j.., k..]ᵀ
    /// over the <paramref name="order"/> columns of the panel at k (gemm).
    /// </summary>
    void UpdateBelow(int i, int rows, int j, int width, int k, int order);
}
