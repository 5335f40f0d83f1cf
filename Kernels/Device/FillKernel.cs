using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// Sets every entry of a vector to one value on the device, in stream order (a memset writes bytes
/// only, and an upload would pass through the host).
/// </summary>
internal readonly struct FillKernel<T>(ArrayView<T> target, T value) : IElementwiseDeviceKernel
    where T : unmanaged
{
    public int Extent => checked((int)target.Length);

    public void Execute(Index1D index) => target[index] = value;
}
