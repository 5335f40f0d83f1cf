using System.Runtime.InteropServices;
using System.Security.Cryptography;
using GpuNngp.Data;
using GpuNngp.Engine.Tests.Data.Fixtures;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

/// <summary>
/// <see cref="NumpyLegacyRandom"/> against outputs recorded with numpy (Fixtures/make_paper_split.py)
/// and against the C++ standard's check value for MT19937.
/// </summary>
public sealed class NumpyLegacyRandomTests
{
    [Fact]
    public void RawOutputsAreNumpysForSeed9999()
    {
        var random = new NumpyLegacyRandom(NumpyFixtures.Seed);
        // 1,000 outputs cross the 624-word state regeneration once at the start and once more at 624.
        var outputs = Enumerable.Range(0, NumpyFixtures.RawOutputs.Length).Select(_ => random.NextUInt32()).ToArray();
        Assert.Equal(NumpyFixtures.RawOutputs, outputs);
    }

    [Fact]
    public void MatchesTheCppStandardsCheckValue()
    {
        // [rand.predef]: the 10,000th output of std::mt19937 with its default seed 5489 is 4123659995.
        var random = new NumpyLegacyRandom(5489);
        uint value = 0;
        for (int i = 0; i < 10_000; i++)
        {
            value = random.NextUInt32();
        }

        Assert.Equal(4123659995u, value);
    }

    [Fact]
    public void ShuffleIsNumpysForEveryRecordedLength()
    {
        Assert.NotEmpty(NumpyFixtures.Shuffled);
        foreach (var (length, expected) in NumpyFixtures.Shuffled)
        {
            Assert.Equal(expected, Shuffled(length));
        }
    }

    [Fact]
    public void LongShufflesAreNumpysEndsAndChecksum()
    {
        Assert.NotEmpty(NumpyFixtures.ShuffledSummaries);
        foreach (var summary in NumpyFixtures.ShuffledSummaries)
        {
            AssertMatches(summary, Shuffled(summary.Length));
        }
    }

    [Fact]
    public void IntervalStaysInRangeAndDrawsNothingForZero()
    {
        var random = new NumpyLegacyRandom(1);
        var twin = new NumpyLegacyRandom(1);
        Assert.Equal(0u, random.Interval(0));
        Assert.Equal(twin.NextUInt32(), random.NextUInt32()); // Interval(0) consumed no output, as numpy's

        // A max just above a power of two rejects almost half the masked draws: values stay ≤ max
        // and every value is reached.
        var seen = new bool[6];
        for (int i = 0; i < 2000; i++)
        {
            uint value = random.Interval(5);
            Assert.InRange(value, 0u, 5u);
            seen[value] = true;
        }

        Assert.All(seen, Assert.True);

        // With max = 2³² − 1 the mask is all ones and nothing is rejected: the raw outputs come through.
        var full = new NumpyLegacyRandom(3);
        var raw = new NumpyLegacyRandom(3);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(raw.NextUInt32(), full.Interval(uint.MaxValue));
        }
    }

    [Fact]
    public void ShuffleOfEmptyOrSingleSpansDrawsNothing()
    {
        var random = new NumpyLegacyRandom(7);
        random.Shuffle(Span<int>.Empty);
        int[] one = [42];
        random.Shuffle(one.AsSpan());
        Assert.Equal([42], one);
        Assert.Equal(new NumpyLegacyRandom(7).NextUInt32(), random.NextUInt32());
    }

    internal static int[] Shuffled(int length)
    {
        var values = Enumerable.Range(0, length).ToArray();
        new NumpyLegacyRandom(NumpyFixtures.Seed).Shuffle(values.AsSpan());
        return values;
    }

    internal static void AssertMatches(PermutationSummary summary, int[] actual)
    {
        Assert.Equal(summary.Length, actual.Length);
        Assert.Equal(summary.First, actual[..summary.First.Length]);
        Assert.Equal(summary.Last, actual[^summary.Last.Length..]);
        Assert.True(BitConverter.IsLittleEndian, "the checksum is of little-endian int32");
        Assert.Equal(summary.Sha256, Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(actual.AsSpan()))));
    }
}
