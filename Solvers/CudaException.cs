namespace GpuNngp.Solvers;

/// <summary>A CUDA library call (cuBLAS, cuSOLVER, the driver) returned a failure status.</summary>
internal sealed class CudaException : Exception
{
    public CudaException(string call, int status, string? detail = null)
        : base($"{call} failed with status {status}{(detail is null ? "" : $" ({detail})")}")
    {
        Call = call;
        Status = status;
    }

    public CudaException(string message) : base(message) { Call = ""; }

    public CudaException(string message, Exception innerException) : base(message, innerException) { Call = ""; }

    public CudaException() : base("CUDA call failed") { Call = ""; }

    /// <summary>The library function that failed.</summary>
    public string Call { get; }

    /// <summary>Its status code (cublasStatus_t, cusolverStatus_t or CUresult).</summary>
    public int Status { get; }
}
