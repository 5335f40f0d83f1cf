using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// Sets every entry of a vector to one value on the device, in stream order (a memset writes bytes
/// only, and an upload would pass through the host).
/// </summary>
internal readonly struct FillKernel<T> : IElementwiseDeviceKernel
    where T : unmanaged
{
    private readonly ArrayView<T> _target;
    private readonly T _value;

    public FillKernel(ArrayView<T> target, T value)
    {
        _target = target;
        _value = value;
    }

    public int Extent => checked((int)_target.Length);

    public void Execute(Index1D index) => _target[index] = _value;
}
