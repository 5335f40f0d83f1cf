using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Cuda;

/// <summary>
/// The few cuSOLVER dense (cusolverDn) entry points the GPU path uses: Cholesky factorisation and solve,
/// and the symmetric eigendecomposition.
/// Handles, streams and device pointers are <see cref="nint"/>; <c>uplo</c> takes the cuBLAS fill-mode
/// constants (<see cref="CublasNative.CUBLAS_FILL_MODE_LOWER"/>). Every function returns a
/// <c>cusolverStatus_t</c> (see <see cref="CudaStatus"/>). Matrices are column-major.
/// </summary>
internal static unsafe partial class CusolverNative
{
    static CusolverNative() => CudaLibraryResolver.Install();

    [LibraryImport(CudaLibraryResolver.CusolverImportName)]
    internal static partial int cusolverDnCreate(out nint handle);

    [LibraryImport(CudaLibraryResolver.CusolverImportName)]
    internal static partial int cusolverDnDestroy(nint handle);

    [LibraryImport(CudaLibraryResolver.CusolverImportName)]
    internal static partial int cusolverDnSetStream(nint handle, nint stream);

    /// <summary>Workspace size of <see cref="cusolverDnDpotrf"/>, in doubles (not bytes).</summary>
    [LibraryImport(CudaLibraryResolver.CusolverImportName)]
    internal static partial int cusolverDnDpotrf_bufferSize(
        nint handle, int uplo, int n, nint a, int lda, out int lwork);

    /// <summary>Cholesky factorisation in place; <paramref name="devInfo"/> is a device int.</summary>
    [LibraryImport(CudaLibraryResolver.CusolverImportName)]
    internal static partial int cusolverDnDpotrf(
        nint handle, int uplo, int n, nint a, int lda, nint workspace, int lwork, nint devInfo);

    /// <summary>Solves A X = B in place of B with the factor from <see cref="cusolverDnDpotrf"/>.</summary>
    [LibraryImport(CudaLibraryResolver.CusolverImportName)]
    internal static partial int cusolverDnDpotrs(
        nint handle, int uplo, int n, int nrhs, nint a, int lda, nint b, int ldb, nint devInfo);

    /// <summary><c>cusolverEigMode_t</c>: compute the eigenvectors as well as the eigenvalues.</summary>
    internal const int CUSOLVER_EIG_MODE_VECTOR = 1;

    /// <summary>Workspace size of <see cref="cusolverDnDsyevd"/>, in doubles (not bytes); neither matrix nor w is read.</summary>
    [LibraryImport(CudaLibraryResolver.CusolverImportName)]
    internal static partial int cusolverDnDsyevd_bufferSize(
        nint handle, int jobz, int uplo, int n, nint a, int lda, nint w, out int lwork);

    /// <summary>
    /// Symmetric eigendecomposition (divide and conquer): eigenvalues ascending into w, eigenvectors
    /// over A with <see cref="CUSOLVER_EIG_MODE_VECTOR"/>; <paramref name="devInfo"/> is a device int.
    /// </summary>
    [LibraryImport(CudaLibraryResolver.CusolverImportName)]
    internal static partial int cusolverDnDsyevd(
        nint handle, int jobz, int uplo, int n, nint a, int lda, nint w, nint workspace, int lwork, nint devInfo);
}
