using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GpuNngp.Engine.Computation;

/// <summary>
/// Finds the first NaN or ±∞ in data laid out as pieces (chunks of an array, columns of a matrix,
/// columns of a triangle), scanning the pieces in parallel and vectorised: the inputs and every
/// kernel and result are checked this way, and an N×N matrix may be past 2^31 values.
/// </summary>
internal static class NonFiniteScan
{
    /// <summary>Piece <paramref name="index"/> of the data.</summary>
    public delegate ReadOnlySpan<double> Piece(int index);

    /// <summary>
    /// The smallest offset(piece) + position of a non-finite value, or −1; <paramref name="offset"/>
    /// must grow with the piece index, so the smallest is the first in the data's order.
    /// </summary>
    public static long First(int pieces, Piece read, Func<int, long> offset)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(offset);
        long first = long.MaxValue;
        void ScanPiece(int index)
        {
            int position = First(read(index));
            if (position < 0)
            {
                return;
            }

            long found = offset(index) + position;
            long seen;
            while (found < (seen = Interlocked.Read(ref first)) && Interlocked.CompareExchange(ref first, found, seen) != seen)
            {
            }
        }

        if (pieces == 1)
        {
            ScanPiece(0);
        }
        else
        {
            Parallel.For(0, pieces, ScanPiece);
        }

        return first == long.MaxValue ? -1 : first;
    }

    /// <summary>The index of the first non-finite value of <paramref name="values"/>, or −1.</summary>
    public static int First(ReadOnlySpan<double> values)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double origin = ref MemoryMarshal.GetReference(values);
            for (; i + Vector256<double>.Count <= values.Length; i += Vector256<double>.Count)
            {
                // x − x is 0 for every finite x and NaN for NaN and ±∞.
                var v = Vector256.LoadUnsafe(ref origin, (nuint)i);
                if (!Vector256.EqualsAll(v - v, Vector256<double>.Zero))
                {
                    break;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
