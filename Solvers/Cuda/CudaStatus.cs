namespace GpuNngp.Solvers.Cuda;

/// <summary>
/// Status codes of cuBLAS (<c>cublasStatus_t</c>) and cuSOLVER (<c>cusolverStatus_t</c>), their names,
/// and the checks that turn a failing status into a <see cref="CudaException"/>.
/// </summary>
/// <remarks>
/// Values as in <c>cublas_api.h</c> and <c>cusolver_common.h</c> of CUDA 12 and 13 (unchanged between them).
/// A code this table does not know is still reported, with its number, as <c>unknown cublasStatus_t 99</c>.
/// </remarks>
internal static class CudaStatus
{
    /// <summary><c>CUBLAS_STATUS_SUCCESS</c> and <c>CUSOLVER_STATUS_SUCCESS</c>.</summary>
    public const int Success = 0;

    // cublasStatus_t
    public const int CublasNotInitialized = 1;
    public const int CublasAllocFailed = 3;
    public const int CublasInvalidValue = 7;
    public const int CublasArchMismatch = 8;
    public const int CublasMappingError = 11;
    public const int CublasExecutionFailed = 13;
    public const int CublasInternalError = 14;
    public const int CublasNotSupported = 15;
    public const int CublasLicenseError = 16;

    // cusolverStatus_t
    public const int CusolverNotInitialized = 1;
    public const int CusolverAllocFailed = 2;
    public const int CusolverInvalidValue = 3;
    public const int CusolverArchMismatch = 4;
    public const int CusolverMappingError = 5;
    public const int CusolverExecutionFailed = 6;
    public const int CusolverInternalError = 7;
    public const int CusolverMatrixTypeNotSupported = 8;
    public const int CusolverNotSupported = 9;
    public const int CusolverZeroPivot = 10;
    public const int CusolverInvalidLicense = 11;
    public const int CusolverInvalidWorkspace = 31;

    /// <summary>The <c>cublasStatus_t</c> name of <paramref name="status"/>.</summary>
    public static string CublasStatusName(int status) => status switch
    {
        Success => "CUBLAS_STATUS_SUCCESS",
        CublasNotInitialized => "CUBLAS_STATUS_NOT_INITIALIZED",
        CublasAllocFailed => "CUBLAS_STATUS_ALLOC_FAILED",
        CublasInvalidValue => "CUBLAS_STATUS_INVALID_VALUE",
        CublasArchMismatch => "CUBLAS_STATUS_ARCH_MISMATCH",
        CublasMappingError => "CUBLAS_STATUS_MAPPING_ERROR",
        CublasExecutionFailed => "CUBLAS_STATUS_EXECUTION_FAILED",
        CublasInternalError => "CUBLAS_STATUS_INTERNAL_ERROR",
        CublasNotSupported => "CUBLAS_STATUS_NOT_SUPPORTED",
        CublasLicenseError => "CUBLAS_STATUS_LICENSE_ERROR",
        _ => $"unknown cublasStatus_t {status}",
    };

    /// <summary>The <c>cusolverStatus_t</c> name of <paramref name="status"/>.</summary>
    public static string CusolverStatusName(int status) => status switch
    {
        Success => "CUSOLVER_STATUS_SUCCESS",
        CusolverNotInitialized => "CUSOLVER_STATUS_NOT_INITIALIZED",
        CusolverAllocFailed => "CUSOLVER_STATUS_ALLOC_FAILED",
        CusolverInvalidValue => "CUSOLVER_STATUS_INVALID_VALUE",
        CusolverArchMismatch => "CUSOLVER_STATUS_ARCH_MISMATCH",
        CusolverMappingError => "CUSOLVER_STATUS_MAPPING_ERROR",
        CusolverExecutionFailed => "CUSOLVER_STATUS_EXECUTION_FAILED",
        CusolverInternalError => "CUSOLVER_STATUS_INTERNAL_ERROR",
        CusolverMatrixTypeNotSupported => "CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED",
        CusolverNotSupported => "CUSOLVER_STATUS_NOT_SUPPORTED",
        CusolverZeroPivot => "CUSOLVER_STATUS_ZERO_PIVOT",
        CusolverInvalidLicense => "CUSOLVER_STATUS_INVALID_LICENSE",
        12 => "CUSOLVER_STATUS_IRS_PARAMS_NOT_INITIALIZED",
        13 => "CUSOLVER_STATUS_IRS_PARAMS_INVALID",
        14 => "CUSOLVER_STATUS_IRS_PARAMS_INVALID_PREC",
        15 => "CUSOLVER_STATUS_IRS_PARAMS_INVALID_REFINE",
        16 => "CUSOLVER_STATUS_IRS_PARAMS_INVALID_MAXITER",
        20 => "CUSOLVER_STATUS_IRS_INTERNAL_ERROR",
        21 => "CUSOLVER_STATUS_IRS_NOT_SUPPORTED",
        22 => "CUSOLVER_STATUS_IRS_OUT_OF_RANGE",
        23 => "CUSOLVER_STATUS_IRS_NRHS_NOT_SUPPORTED_FOR_REFINE_GMRES",
        25 => "CUSOLVER_STATUS_IRS_INFOS_NOT_INITIALIZED",
        26 => "CUSOLVER_STATUS_IRS_INFOS_NOT_DESTROYED",
        30 => "CUSOLVER_STATUS_IRS_MATRIX_SINGULAR",
        CusolverInvalidWorkspace => "CUSOLVER_STATUS_INVALID_WORKSPACE",
        _ => $"unknown cusolverStatus_t {status}",
    };

    /// <summary>The exception for a cuBLAS call <paramref name="call"/> that returned <paramref name="status"/>.</summary>
    public static CudaException CublasError(string call, int status) => new(call, status, CublasStatusName(status));

    /// <summary>The exception for a cuSOLVER call <paramref name="call"/> that returned <paramref name="status"/>.</summary>
    public static CudaException CusolverError(string call, int status) => new(call, status, CusolverStatusName(status));

    /// <summary>Throws <see cref="CudaException"/> unless <paramref name="status"/> is <c>CUBLAS_STATUS_SUCCESS</c>.</summary>
    /// <exception cref="CudaException">The call failed.</exception>
    public static void CheckCublas(int status, string call)
    {
        if (status != Success)
            throw CublasError(call, status);
    }

    /// <summary>Throws <see cref="CudaException"/> unless <paramref name="status"/> is <c>CUSOLVER_STATUS_SUCCESS</c>.</summary>
    /// <exception cref="CudaException">The call failed.</exception>
    public static void CheckCusolver(int status, string call)
    {
        if (status != Success)
            throw CusolverError(call, status);
    }
}
