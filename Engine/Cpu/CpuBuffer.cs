using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Cpu;

/// <summary>A CPU provider's buffer: native host memory (<see cref="HostBuffer"/>), which BLAS and LAPACK read by pointer.</summary>
internal sealed class CpuBuffer : ProviderBuffer
{
    private HostBuffer? _storage;

    public CpuBuffer(HostBuffer storage)
        : base(storage.Length) => _storage = storage;

    public HostBuffer Storage => _storage ?? throw new ObjectDisposedException(nameof(CpuBuffer));

    /// <summary>Gives up the memory to the caller (a kernel that becomes a <see cref="HostMatrix"/> without a copy).</summary>
    public HostBuffer Detach()
    {
        HostBuffer storage = Storage;
        _storage = null;
        return storage;
    }

    protected override void Dispose(bool disposing)
    {
        _storage?.Dispose();
        _storage = null;
    }
}
