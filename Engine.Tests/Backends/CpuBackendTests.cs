using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests.Backends;

/// <summary>The shared cases on the CPU with the system's native BLAS/LAPACK (OpenBLAS where installed).</summary>
public sealed class CpuNativeBackendTests : BackendContractTests
{
    private protected override IComputeProvider CreateProvider()
    {
        var native = HostLinearAlgebra.Native(out string? reason);
        if (native is null)
        {
            Assert.Skip($"no native BLAS/LAPACK: {reason}");
        }

        return new CpuProvider(native);
    }
}

/// <summary>The shared cases on the CPU with the managed provider (MathNet.Numerics).</summary>
public sealed class CpuManagedBackendTests : BackendContractTests
{
    private protected override IComputeProvider CreateProvider() => new CpuProvider(HostLinearAlgebra.Managed);
}

/// <summary>
/// The shared cases through the device kernels on ILGPU's CPU simulator (<see cref="SimulatedDeviceProvider"/>):
/// the GPU provider's map, diagonal, triangle and reduction kernels in the one pipeline, without a GPU.
/// </summary>
public sealed class SimulatedDeviceBackendTests : BackendContractTests
{
    private protected override IComputeProvider CreateProvider() => new SimulatedDeviceProvider();
}
