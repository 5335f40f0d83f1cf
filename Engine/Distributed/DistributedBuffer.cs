using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using GpuNngp.Solvers.Distributed;

namespace GpuNngp.Engine.Distributed;

/// <summary>
/// A distributed provider's buffer, in one of two forms that the provider switches between as its
/// operations need: replicated (the same <see cref="ProviderBuffer.Length"/> values on every rank:
/// inputs, targets, small results) or block-cyclic (each rank's part of a matrix of
/// <see cref="Layout"/>: the kernel, the test kernel, α). A new buffer holds neither until it is written.
/// </summary>
internal sealed class DistributedBuffer(long length) : ProviderBuffer(length)
{
    /// <summary>The whole buffer, the same on every rank; null when block-cyclic or new.</summary>
    public HostBuffer? Replicated { get; private set; }

    /// <summary>This rank's part of a block-cyclic matrix; null when replicated or new.</summary>
    public HostBuffer? Local { get; private set; }

    /// <summary>The block-cyclic layout of <see cref="Local"/>, its widest (the buffer's capacity in columns).</summary>
    public BlockCyclicLayout? Layout { get; private set; }

    /// <summary>Holds <paramref name="values"/> (taken over) as the replicated form, freeing the other.</summary>
    public void SetReplicated(HostBuffer values)
    {
        Free();
        Replicated = values;
    }

    /// <summary>Holds <paramref name="local"/> (taken over) as the block-cyclic form of <paramref name="layout"/>, freeing the other.</summary>
    public void SetLocal(BlockCyclicLayout layout, HostBuffer local)
    {
        Free();
        Layout = layout;
        Local = local;
    }

    private void Free()
    {
        Replicated?.Dispose();
        Local?.Dispose();
        Replicated = null;
        Local = null;
        Layout = null;
    }

    /// <summary>Gives up the replicated memory to the caller (a kernel that becomes a host matrix without a copy).</summary>
    public HostBuffer DetachReplicated()
    {
        HostBuffer values = Replicated ?? throw new InvalidOperationException("the buffer is not replicated");
        Replicated = null;
        return values;
    }

    protected override void Dispose(bool disposing) => Free();
}
