using GpuNngp.Engine.Tests.Gpu;

namespace GpuNngp.Engine.Tests.Backends;

/// <summary>
/// The shared cases on the GPU backend (ILGPU kernels, cuBLAS, cuSOLVER). Each case is skipped, with
/// GpuBackend.TryCreate's reason, where no usable NVIDIA GPU is present.
/// </summary>
public sealed class GpuBackendTests : BackendContractTests
{
    protected override NngpEngine CreateEngine() => GpuTestSupport.CreateGpuEngine();
}
