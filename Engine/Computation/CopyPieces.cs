namespace GpuNngp.Engine.Computation;

/// <summary>
/// A long run of values in pieces of at most 2²⁷ (1 GiB of doubles): a span's length and an MPI
/// count are 32-bit, so copies, reductions and broadcasts of an N×N matrix go piece by piece.
/// </summary>
internal static class CopyPieces
{
    /// <summary>The most values one piece holds.</summary>
    public const int Largest = 1 << 27;

    /// <summary>The pieces of <paramref name="count"/> values, in order: each one's offset and length.</summary>
    public static IEnumerable<(long Offset, int Length)> Of(long count)
    {
        for (long done = 0; done < count;)
        {
            int piece = (int)Math.Min(count - done, Largest);
            yield return (done, piece);
            done += piece;
        }
    }
}
