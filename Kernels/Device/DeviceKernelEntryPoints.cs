using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// The two ILGPU entry points every device kernel goes through: a kernel is a struct of its arguments
/// with a body (<see cref="IGroupedDeviceKernel"/>, <see cref="IElementwiseDeviceKernel"/>), and ILGPU
/// specialises these generic methods per struct, so its signature is written once, in the struct.
/// </summary>
internal static class DeviceKernelEntryPoints
{
    /// <summary>The entry point of an explicitly grouped kernel.</summary>
    public static void Grouped<TKernel>(TKernel kernel)
        where TKernel : struct, IGroupedDeviceKernel =>
        kernel.Execute();

    /// <summary>The entry point of an implicitly grouped kernel.</summary>
    public static void Elementwise<TKernel>(Index1D index, TKernel kernel)
        where TKernel : struct, IElementwiseDeviceKernel =>
        kernel.Execute(index);
}
