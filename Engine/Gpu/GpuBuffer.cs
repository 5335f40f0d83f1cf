using GpuNngp.Engine.Pipeline;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.Gpu;

/// <summary>A device provider's buffer: memory on the provider's ILGPU accelerator (a CUDA GPU, or the CPU simulator in the tests).</summary>
internal sealed class GpuBuffer : ProviderBuffer
{
    private MemoryBuffer1D<double, Stride1D.Dense>? _memory;

    public GpuBuffer(Accelerator accelerator, MemoryBuffer1D<double, Stride1D.Dense> memory, long length)
        : base(length)
    {
        Accelerator = accelerator;
        _memory = memory;
    }

    /// <summary>The accelerator that owns the memory: bound before the memory is freed (CUDA needs its context current).</summary>
    public Accelerator Accelerator { get; }

    public MemoryBuffer1D<double, Stride1D.Dense> Memory => _memory ?? throw new ObjectDisposedException(nameof(GpuBuffer));

    public ArrayView<double> View => Memory.View;

    public nint Pointer => Memory.NativePtr;

    protected override void Dispose(bool disposing)
    {
        var memory = _memory;
        _memory = null;
        if (memory is null || Accelerator.IsDisposed)
        {
            return; // the accelerator freed its buffers when the engine was disposed first
        }

        Accelerator.Bind();
        memory.Dispose();
    }
}
