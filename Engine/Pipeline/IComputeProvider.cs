using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// One place the engine computes — the CPU, a GPU, later a cluster — as the operations the pipeline
/// (<see cref="KernelPipeline"/>, <see cref="FittedModel"/>) is written over: buffers, the input Gram
/// and products, the layer map over a lower triangle and a rectangle, the diagonal, the
/// factorisation and solves, the symmetric eigendecomposition, column sums of squares. A new provider implements this and nothing
/// else. Operations may run asynchronously in order; <see cref="Synchronize"/> waits for them, and
/// every operation that returns host data waits itself. Matrices are column-major, lower triangles
/// hold symmetric ones, leading dimension = row count.
/// </summary>
internal interface IComputeProvider : IDisposable
{
    /// <summary>e.g. "CPU (2 threads, OpenBLAS 0.3.21 ...)" or "GPU NVIDIA H100 80GB HBM3 (...)".</summary>
    string Name { get; }

    /// <summary>True for a GPU.</summary>
    bool IsGpu { get; }

    /// <summary>True when user delegates (custom activations) can run here: only host code can call them.</summary>
    bool RunsCustomActivations { get; }

    /// <summary>The constants of this provider's memory for <see cref="MemoryPlan"/>.</summary>
    MemoryModel Memory { get; }

    /// <summary>Bytes available now where it computes (null: unknown, nothing refused).</summary>
    long? AvailableBytes();

    /// <summary>Uninitialised memory for <paramref name="length"/> doubles; <paramref name="what"/> names it in an error.</summary>
    ProviderBuffer Allocate(long length, string what);

    /// <summary>A new buffer holding <paramref name="values"/>.</summary>
    ProviderBuffer Upload(ReadOnlySpan<double> values, string what);

    /// <summary>Copies <paramref name="values"/> to the start of <paramref name="target"/>.</summary>
    void CopyIn(ProviderBuffer target, ReadOnlySpan<double> values);

    /// <summary>Copies <paramref name="target"/>.Length values from <paramref name="offset"/> of <paramref name="source"/>.</summary>
    void CopyOut(ProviderBuffer source, long offset, Span<double> target);

    /// <summary>Copies <paramref name="count"/> values between two buffers of this provider.</summary>
    void Copy(ProviderBuffer source, long sourceOffset, ProviderBuffer target, long targetOffset, long count);

    /// <summary>Copies the lower triangle (diagonal included) of an n×n matrix; the rest of the target may change.</summary>
    void CopyLowerTriangle(ProviderBuffer source, ProviderBuffer target, int n);

    /// <summary>The rows×columns matrix in host memory; the buffer is consumed (moved where it can be, copied and freed otherwise).</summary>
    HostMatrix ToHost(ProviderBuffer matrix, int rows, int columns);

    /// <summary>Lower triangle of C (n×n) = α·A·Aᵀ, A n×k (the input Gram).</summary>
    /// <remarks>A token that can be cancelled cuts the CPU's call into cancellable slabs; a GPU's call is one (fast) cuBLAS call.</remarks>
    void SymmetricRankK(int n, int k, double alpha, ProviderBuffer a, ProviderBuffer c, CancellationToken cancellationToken = default);

    /// <summary>C (m×n) = α·op(A)·op(B) + β·C, op(A) m×k, op(B) k×n.</summary>
    void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double alpha, ProviderBuffer a, ProviderBuffer b, double beta, ProviderBuffer c, CancellationToken cancellationToken = default);

    /// <summary>Makes the fused all-layers map of <paramref name="network"/> ready here, through <paramref name="tables"/> where given.</summary>
    IPreparedMap PrepareMap(HostNetworkView network, KernelLookupTable? tables);

    /// <summary>Makes a convolutional plan's kernel (its <see cref="Spatial.SliceProgram"/>) ready here, with the NTK where <paramref name="ntk"/>, the host's in <paramref name="precision"/>.</summary>
    Spatial.ISpatialKernel PrepareSpatial(Spatial.SliceProgram program, bool ntk, KernelPrecision precision = KernelPrecision.Double);

    /// <summary>
    /// The fused map over the lower triangle (diagonal included) of the n×n K⁰ in place, the points'
    /// layer-major variances given (<see cref="HostPreparation.Diagonals"/>); advances <paramref name="progress"/> by entries where it can.
    /// </summary>
    void MapLowerTriangle(IPreparedMap map, ProviderBuffer matrix, int n, double[] layerVariances, KernelKind kind, ProgressCounter progress);

    /// <summary>The fused map over a whole rows×columns K⁰ between two point sets in place.</summary>
    void MapRectangle(
        IPreparedMap map, ProviderBuffer matrix, int rows, int columns, double[] rowVariances, double[] columnVariances, KernelKind kind, ProgressCounter progress);

    /// <summary>diag(matrix)_i = values_i + noise + jitter, added in that order.</summary>
    void SetDiagonal(ProviderBuffer matrix, int n, double[] values, double noise, double jitter);

    /// <summary>The diagonal of the n×n matrix, to the host.</summary>
    double[] Diagonal(ProviderBuffer matrix, int n);

    /// <summary>Copies the strict lower triangle of the n×n matrix into its strict upper one.</summary>
    void MirrorLowerToUpper(ProviderBuffer matrix, int n);

    /// <summary>Copies the strict upper triangle of the n×n matrix back into its strict lower one.</summary>
    void RestoreLowerFromUpper(ProviderBuffer matrix, int n);

    /// <summary>The smallest column-major index of a NaN or ±∞ in the lower triangle (diagonal included), or −1.</summary>
    long FirstNonFiniteLowerTriangle(ProviderBuffer matrix, int n);

    /// <summary>
    /// Cholesky factor of the lower triangle of the n×n matrix in place; 0, or the order of the leading
    /// minor that is not positive definite. <paramref name="progress"/> receives the fraction done;
    /// <paramref name="cancellationToken"/> stops it between blocks (<see cref="Solvers.BlockedCholesky"/>)
    /// with <see cref="OperationCanceledException"/>, leaving the matrix partly factorised.
    /// </summary>
    int CholeskyFactor(ProviderBuffer matrix, int n, Action<double>? progress, CancellationToken cancellationToken);

    /// <summary>Solves L·Lᵀ·X = B in place for B (n×nrhs).</summary>
    void CholeskySolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs);

    /// <summary>Solves L·X = B in place for B (n×nrhs).</summary>
    void LowerTriangularSolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs, CancellationToken cancellationToken = default);

    /// <summary>
    /// The eigendecomposition A = V·Λ·Vᵀ of the symmetric n×n matrix whose lower triangle is in
    /// <paramref name="matrix"/> (its strict upper triangle is not read), in place: the n eigenvalues in
    /// ascending order into <paramref name="eigenvalues"/>, the orthonormal eigenvectors over the matrix
    /// (column j for eigenvalue j). Throws <see cref="NngpNumericalException"/> when it does not converge.
    /// </summary>
    void SymmetricEigen(ProviderBuffer matrix, int n, ProviderBuffer eigenvalues);

    /// <summary>Σ_i matrix[i, j]² for each of the <paramref name="columns"/> columns of <paramref name="rows"/> rows, to the host.</summary>
    double[] ColumnSumsOfSquares(ProviderBuffer matrix, int rows, int columns);

    /// <summary>Waits for everything queued; stage timings read the clock after it.</summary>
    void Synchronize();
}
