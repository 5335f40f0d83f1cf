using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Cuda;

/// <summary>
/// The few cuSOLVER dense (cusolverDn) entry points the GPU path uses: Cholesky factorisation and solve.
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
}
