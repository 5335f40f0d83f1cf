using GpuNngp.Engine.Pipeline;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.Gpu;

/// <summary>A GPU provider's buffer: device memory on the provider's accelerator.</summary>
internal sealed class GpuBuffer : ProviderBuffer
{
    private readonly GpuDevice _device;
    private MemoryBuffer1D<double, Stride1D.Dense>? _memory;

    public GpuBuffer(GpuDevice device, MemoryBuffer1D<double, Stride1D.Dense> memory, long length)
        : base(length)
    {
        _device = device;
        _memory = memory;
    }

    public MemoryBuffer1D<double, Stride1D.Dense> Memory => _memory ?? throw new ObjectDisposedException(nameof(GpuBuffer));

    public ArrayView<double> View => Memory.View;

    public nint Pointer => Memory.NativePtr;

    protected override void Dispose(bool disposing)
    {
        var memory = _memory;
        _memory = null;
        if (memory is null || _device.Accelerator.IsDisposed)
        {
            return; // the accelerator freed its buffers when the engine was disposed first
        }

        _device.Bind();
        memory.Dispose();
    }
}
