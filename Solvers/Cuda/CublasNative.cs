using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Cuda;

/// <summary>
/// The few cuBLAS (v2 API) entry points the GPU path uses. Handles, streams and device pointers are
/// <see cref="nint"/>; enums are <see cref="int"/>; scalars (alpha, beta) are host pointers, which is the
/// handle's default pointer mode (<c>CUBLAS_POINTER_MODE_HOST</c>). Every function returns a
/// <c>cublasStatus_t</c> (see <see cref="CudaStatus"/>). Matrices are column-major.
/// </summary>
/// <remarks>Constants as in <c>cublas_api.h</c> of CUDA 12 and 13.</remarks>
internal static unsafe partial class CublasNative
{
    // cublasFillMode_t
    internal const int CUBLAS_FILL_MODE_LOWER = 0;
    internal const int CUBLAS_FILL_MODE_UPPER = 1;

    // cublasOperation_t
    internal const int CUBLAS_OP_N = 0;
    internal const int CUBLAS_OP_T = 1;

    // cublasSideMode_t
    internal const int CUBLAS_SIDE_LEFT = 0;
    internal const int CUBLAS_SIDE_RIGHT = 1;

    // cublasDiagType_t
    internal const int CUBLAS_DIAG_NON_UNIT = 0;
    internal const int CUBLAS_DIAG_UNIT = 1;

    // cublasMath_t (the two that matter for FP64; the default never lowers FP64 precision)
    internal const int CUBLAS_DEFAULT_MATH = 0;
    internal const int CUBLAS_PEDANTIC_MATH = 2;

    static CublasNative() => CudaLibraryResolver.Install();

    [LibraryImport(CudaLibraryResolver.CublasImportName)]
    internal static partial int cublasCreate_v2(out nint handle);

    [LibraryImport(CudaLibraryResolver.CublasImportName)]
    internal static partial int cublasDestroy_v2(nint handle);

    [LibraryImport(CudaLibraryResolver.CublasImportName)]
    internal static partial int cublasSetStream_v2(nint handle, nint stream);

    [LibraryImport(CudaLibraryResolver.CublasImportName)]
    internal static partial int cublasSetMathMode(nint handle, int mode);

    /// <summary>C = alpha op(A) op(A)ᵀ + beta C on the <paramref name="uplo"/> triangle of the n×n C.</summary>
    [LibraryImport(CudaLibraryResolver.CublasImportName)]
    internal static partial int cublasDsyrk_v2(
        nint handle, int uplo, int trans, int n, int k,
        double* alpha, nint a, int lda,
        double* beta, nint c, int ldc);

    /// <summary>C = alpha op(A) op(B) + beta C, C m×n.</summary>
    [LibraryImport(CudaLibraryResolver.CublasImportName)]
    internal static partial int cublasDgemm_v2(
        nint handle, int transa, int transb, int m, int n, int k,
        double* alpha, nint a, int lda,
        nint b, int ldb,
        double* beta, nint c, int ldc);

    /// <summary>Solves op(A) X = alpha B (side left) or X op(A) = alpha B (right) in place of the m×n B.</summary>
    [LibraryImport(CudaLibraryResolver.CublasImportName)]
    internal static partial int cublasDtrsm_v2(
        nint handle, int side, int uplo, int trans, int diag, int m, int n,
        double* alpha, nint a, int lda,
        nint b, int ldb);
}
