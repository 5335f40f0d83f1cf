using GpuNngp.Engine.Computation;
using ILGPU;
using ILGPU.Runtime;
using IlgpuCudaException = ILGPU.Runtime.Cuda.CudaException;

namespace GpuNngp.Engine.Gpu;

/// <summary>Host↔device plumbing of the GPU path: checked allocations, synchronous copies on the stream.</summary>
internal static class GpuHost
{
    /// <summary>Allocates <paramref name="length"/> device elements (at least one); an out-of-memory becomes a one-line device error.</summary>
    public static MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(Accelerator accelerator, long length, string what)
        where T : unmanaged
    {
        try
        {
            return accelerator.Allocate1D<T>(Math.Max(1, length));
        }
        catch (IlgpuCudaException e)
        {
            throw new NngpDeviceException(
                $"the GPU could not allocate {MemoryRefusal.Gigabytes(Math.Max(1, length) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>())} for {what} ({e.Message.Split('\n')[0]})", e);
        }
    }

    public static MemoryBuffer1D<double, Stride1D.Dense> Allocate(Accelerator accelerator, long length, string what) =>
        Allocate<double>(accelerator, length, what);

    /// <summary>Copies <paramref name="values"/> to the start of <paramref name="target"/>; returns after the stream has drained.</summary>
    /// <remarks>Spans only: ILGPU's array overloads for 1-D views stage the whole underlying buffer on the host.</remarks>
    public static void CopyIn<T>(AcceleratorStream stream, ArrayView<T> target, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        if (values.Length > 0)
        {
            target.SubView(0, values.Length).CopyFromCPU(stream, values);
        }
    }

    /// <summary>Copies <paramref name="target"/>.Length elements from the start of <paramref name="source"/>.</summary>
    public static void Download<T>(AcceleratorStream stream, ArrayView<T> source, Span<T> target)
        where T : unmanaged
    {
        if (target.Length > 0)
        {
            source.SubView(0, target.Length).CopyToCPU(stream, target);
        }
    }
}
