using Xunit;
using GpuNngp.Solvers;
using GpuNngp.Solvers.Cuda;

namespace GpuNngp.Engine.Tests.Cuda;

public sealed class CudaStatusTests
{
    [Theory]
    [InlineData(0, "CUBLAS_STATUS_SUCCESS")]
    [InlineData(1, "CUBLAS_STATUS_NOT_INITIALIZED")]
    [InlineData(3, "CUBLAS_STATUS_ALLOC_FAILED")]
    [InlineData(7, "CUBLAS_STATUS_INVALID_VALUE")]
    [InlineData(8, "CUBLAS_STATUS_ARCH_MISMATCH")]
    [InlineData(11, "CUBLAS_STATUS_MAPPING_ERROR")]
    [InlineData(13, "CUBLAS_STATUS_EXECUTION_FAILED")]
    [InlineData(14, "CUBLAS_STATUS_INTERNAL_ERROR")]
    [InlineData(15, "CUBLAS_STATUS_NOT_SUPPORTED")]
    [InlineData(16, "CUBLAS_STATUS_LICENSE_ERROR")]
    [InlineData(2, "unknown cublasStatus_t 2")]
    [InlineData(-1, "unknown cublasStatus_t -1")]
    public void CublasNames(int code, string name) => Assert.Equal(name, CudaStatus.CublasStatusName(code));

    [Theory]
    [InlineData(0, "CUSOLVER_STATUS_SUCCESS")]
    [InlineData(1, "CUSOLVER_STATUS_NOT_INITIALIZED")]
    [InlineData(2, "CUSOLVER_STATUS_ALLOC_FAILED")]
    [InlineData(3, "CUSOLVER_STATUS_INVALID_VALUE")]
    [InlineData(4, "CUSOLVER_STATUS_ARCH_MISMATCH")]
    [InlineData(5, "CUSOLVER_STATUS_MAPPING_ERROR")]
    [InlineData(6, "CUSOLVER_STATUS_EXECUTION_FAILED")]
    [InlineData(7, "CUSOLVER_STATUS_INTERNAL_ERROR")]
    [InlineData(8, "CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED")]
    [InlineData(9, "CUSOLVER_STATUS_NOT_SUPPORTED")]
    [InlineData(10, "CUSOLVER_STATUS_ZERO_PIVOT")]
    [InlineData(11, "CUSOLVER_STATUS_INVALID_LICENSE")]
    [InlineData(12, "CUSOLVER_STATUS_IRS_PARAMS_NOT_INITIALIZED")]
    [InlineData(20, "CUSOLVER_STATUS_IRS_INTERNAL_ERROR")]
    [InlineData(30, "CUSOLVER_STATUS_IRS_MATRIX_SINGULAR")]
    [InlineData(31, "CUSOLVER_STATUS_INVALID_WORKSPACE")]
    [InlineData(17, "unknown cusolverStatus_t 17")]
    public void CusolverNames(int code, string name) => Assert.Equal(name, CudaStatus.CusolverStatusName(code));

    [Fact]
    public void SuccessDoesNotThrow()
    {
        CudaStatus.CheckCublas(0, "cublasDgemm_v2");
        CudaStatus.CheckCusolver(0, "cusolverDnDpotrf");
    }

    [Fact]
    public void CublasFailureBecomesCudaExceptionWithCallCodeAndName()
    {
        var e = Assert.Throws<CudaException>(() => CudaStatus.CheckCublas(7, "cublasDsyrk_v2"));

        Assert.Equal("cublasDsyrk_v2", e.Call);
        Assert.Equal(7, e.Status);
        Assert.Equal("cublasDsyrk_v2 failed with status 7 (CUBLAS_STATUS_INVALID_VALUE)", e.Message);
    }

    [Fact]
    public void CusolverFailureBecomesCudaExceptionWithCallCodeAndName()
    {
        var e = Assert.Throws<CudaException>(() => CudaStatus.CheckCusolver(6, "cusolverDnDpotrf"));

        Assert.Equal("cusolverDnDpotrf", e.Call);
        Assert.Equal(6, e.Status);
        Assert.Equal("cusolverDnDpotrf failed with status 6 (CUSOLVER_STATUS_EXECUTION_FAILED)", e.Message);
    }

    [Fact]
    public void UnknownCodesKeepTheirNumber()
    {
        var e = Assert.Throws<CudaException>(() => CudaStatus.CheckCusolver(99, "cusolverDnDpotrs"));

        Assert.Equal(99, e.Status);
        Assert.Contains("unknown cusolverStatus_t 99", e.Message, StringComparison.Ordinal);
    }
}
