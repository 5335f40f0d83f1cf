namespace GpuNngp.Solvers;

/// <summary>
/// The dense FP64 operations the CPU path needs, on column-major matrices in native memory
/// (<see cref="HostBuffer"/>) whose leading dimension is their row count. Two providers sit behind
/// it, as in MathNet.Numerics: the system's native BLAS/LAPACK (OpenBLAS where installed), which
/// works on the buffers in place at any size, and a managed one, which copies them into managed
/// arrays and so stops at <see cref="MaxMatrixElements"/>.
/// </summary>
internal interface IHostLinearAlgebra
{
    /// <summary>Which provider ran, for every result: e.g. "OpenBLAS 0.3.21 (libblas.so.3)".</summary>
    string Name { get; }

    /// <summary>The most values one matrix argument may hold.</summary>
    long MaxMatrixElements { get; }

    /// <summary>Extra N×N copies the provider makes while it factorises or solves (0 in place, 1 for the managed one).</summary>
    int WorkingCopies { get; }

    /// <summary>Lower triangle of C (n×n) = α·A·Aᵀ, A n×k; a token that can be cancelled makes the native provider work in cancellable slabs.</summary>
    void SymmetricRankK(int n, int k, double alpha, HostBuffer a, HostBuffer c, CancellationToken cancellationToken = default);

    /// <summary>C (m×n) = α·op(A)·op(B) + β·C, op(A) m×k, op(B) k×n; cancellable in slabs like <see cref="SymmetricRankK"/>.</summary>
    void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double alpha, HostBuffer a, HostBuffer b, double beta, HostBuffer c, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cholesky factor of the SPD matrix whose lower triangle is in <paramref name="a"/> (n×n),
    /// in place (lower). Returns 0, or the order of the leading minor that is not positive definite.
    /// <paramref name="progress"/> receives the fraction done (monotone, 1 at the end of a success);
    /// <paramref name="cancellationToken"/> stops it with <see cref="OperationCanceledException"/>,
    /// between blocks where the provider factorises in blocks (the native one), else before it starts.
    /// </summary>
    int CholeskyFactor(HostBuffer a, int n, Action<double>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Solves L·Lᵀ·X = B in place for B (n×nrhs), given the factor from <see cref="CholeskyFactor"/>.</summary>
    void CholeskySolve(HostBuffer factor, int n, HostBuffer b, int nrhs);

    /// <summary>Solves L·X = B in place for B (n×nrhs), L the lower factor.</summary>
    void LowerTriangularSolve(HostBuffer factor, int n, HostBuffer b, int nrhs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Eigendecomposition A = V·Λ·Vᵀ of the symmetric n×n matrix whose lower triangle is in
    /// <paramref name="a"/> (the strict upper triangle is not read): the eigenvalues in ascending order
    /// into <paramref name="eigenvalues"/> (n), the orthonormal eigenvectors over <paramref name="a"/>
    /// (column j the vector of eigenvalue j). Throws <see cref="ArithmeticException"/> when the
    /// algorithm does not converge.
    /// </summary>
    void SymmetricEigen(HostBuffer a, int n, HostBuffer eigenvalues);
}
