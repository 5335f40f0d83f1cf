using System.Runtime.InteropServices;

namespace GpuNngp.Solvers;

/// <summary>
/// A block of FP64 values in native memory, 64-byte aligned, with a 64-bit length: the N×N and N×M
/// matrices of the CPU path live here because a managed array stops at 2^31 elements (N = 46,340 for
/// a square matrix), and because its pages need no zeroing by the GC. Freed by <see cref="Dispose"/>;
/// the finalizer only guards against a forgotten one.
/// </summary>
/// <remarks>The contents of a fresh buffer are undefined (like malloc's); <see cref="Clear"/> zeroes them.</remarks>
internal sealed unsafe class HostBuffer : IDisposable
{
    private const nuint Alignment = 64;

    private double* _pointer;

    private HostBuffer(double* pointer, long length)
    {
        _pointer = pointer;
        Length = length;
    }

    ~HostBuffer() => Free();

    /// <summary>The number of doubles.</summary>
    public long Length { get; }

    /// <summary>The first value; valid until the buffer is disposed.</summary>
    public double* Pointer => _pointer != null ? _pointer : throw new ObjectDisposedException(nameof(HostBuffer));

    /// <summary>Allocates <paramref name="length"/> doubles (uninitialised).</summary>
    /// <exception cref="OutOfMemoryException">The system refused the allocation.</exception>
    public static HostBuffer Allocate(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > long.MaxValue / sizeof(double))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "too many doubles to address");
        }

        // AlignedAlloc of 0 bytes may return null; one element keeps Pointer valid for empty buffers.
        var pointer = (double*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, length) * sizeof(double)), Alignment);
        return new HostBuffer(pointer, length);
    }

    /// <summary>A native copy of a managed array.</summary>
    public static HostBuffer CopyOf(ReadOnlySpan<double> values)
    {
        var buffer = Allocate(values.Length);
        values.CopyTo(new Span<double>(buffer._pointer, values.Length));
        return buffer;
    }

    /// <summary>The value at <paramref name="index"/> (bounds-checked).</summary>
    public ref double this[long index]
    {
        get
        {
            if ((ulong)index >= (ulong)Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"the buffer holds {Length} values");
            }

            return ref Pointer[index];
        }
    }

    /// <summary>
    /// <paramref name="count"/> consecutive values from <paramref name="start"/>: a span can address
    /// at most 2^31 − 1 values, so a matrix is handed out a column (or a tile) at a time.
    /// </summary>
    public Span<double> Slice(long start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start > Length - count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"[{start}, {start + count}) lies outside the buffer of {Length} values");
        }

        return new Span<double>(Pointer + start, count);
    }

    /// <summary>Copies <paramref name="count"/> values from <paramref name="sourceOffset"/> of this buffer to <paramref name="targetOffset"/> of <paramref name="target"/>, in spans of at most 2^27.</summary>
    public void CopyTo(long sourceOffset, HostBuffer target, long targetOffset, long count)
    {
        ArgumentNullException.ThrowIfNull(target);
        for (long done = 0; done < count;)
        {
            int piece = (int)Math.Min(count - done, 1 << 27);
            Slice(sourceOffset + done, piece).CopyTo(target.Slice(targetOffset + done, piece));
            done += piece;
        }
    }

    /// <summary>Zeroes every value.</summary>
    public void Clear() => NativeMemory.Clear(Pointer, (nuint)(Length * sizeof(double)));

    /// <summary>Copies every value to a new managed array (only where one can hold them).</summary>
    public double[] ToArray()
    {
        if (Length > Array.MaxLength)
        {
            throw new InvalidOperationException($"{Length:N0} values do not fit a managed array (at most {Array.MaxLength:N0})");
        }

        return Slice(0, (int)Length).ToArray();
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }
}
