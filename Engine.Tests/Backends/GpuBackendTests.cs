using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Tests.Gpu;

namespace GpuNngp.Engine.Tests.Backends;

/// <summary>
/// The shared cases on the GPU backend (ILGPU kernels, cuBLAS, cuSOLVER). Each case is skipped, with
/// GpuProvider.TryCreate's reason, where no usable NVIDIA GPU is present.
/// </summary>
public sealed class GpuBackendTests : BackendContractTests
{
    private protected override IComputeProvider CreateProvider()
    {
        GpuTestSupport.SkipUnlessAvailable();
        return GpuProvider.TryCreate(out var gpu, out string reason) ? gpu : throw new InvalidOperationException(reason);
    }
}
