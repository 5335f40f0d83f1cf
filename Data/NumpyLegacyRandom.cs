namespace GpuNngp.Data;

/// <summary>
/// numpy's legacy generator (<c>np.random.seed</c>, <c>RandomState</c>) for the one thing the
/// paper's data split needs from it: MT19937 seeded with a 32-bit integer exactly as numpy seeds it
/// (the reference <c>init_genrand</c>), its raw 32-bit outputs, and <c>shuffle</c> of a 1-D array,
/// bit for bit, so that <c>np.random.seed(9999); np.random.shuffle(idx)</c> gives the same order
/// here. No maintained NuGet package reproduces RandomState (NumSharp's <c>np.random</c> is built
/// on a different generator), hence this small port of the published algorithms, tested against
/// outputs recorded with numpy (Engine.Tests/Data/Fixtures).
/// </summary>
public sealed class NumpyLegacyRandom
{
    private const int StateLength = 624;
    private const int Offset = 397;
    private const uint MatrixA = 0x9908b0df;
    private const uint UpperMask = 0x80000000;
    private const uint LowerMask = 0x7fffffff;

    private readonly uint[] _state = new uint[StateLength];
    private int _position;

    /// <summary>The generator as <c>np.random.seed(seed)</c> leaves it.</summary>
    public NumpyLegacyRandom(uint seed)
    {
        _state[0] = seed;
        for (int i = 1; i < StateLength; i++)
        {
            uint previous = _state[i - 1];
            _state[i] = unchecked((1812433253u * (previous ^ (previous >> 30))) + (uint)i);
        }

        _position = StateLength; // the first draw regenerates the whole state, as numpy's does
    }

    /// <summary>The next raw 32-bit output (numpy's <c>mt19937_next32</c>).</summary>
    public uint NextUInt32()
    {
        if (_position == StateLength)
        {
            Regenerate();
        }

        uint y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >> 18;
        return y;
    }

    /// <summary>
    /// A uniform integer in [0, <paramref name="max"/>] drawn as numpy's legacy
    /// <c>random_interval</c> draws it: raw outputs masked to the smallest all-ones mask covering
    /// <paramref name="max"/>, rejected until one is ≤ <paramref name="max"/>. (numpy switches to
    /// 64-bit draws only for a max above 2³² − 1, which a uint cannot hold.)
    /// </summary>
    public uint Interval(uint max)
    {
        if (max == 0)
        {
            return 0;
        }

        uint mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max)
        {
        }

        return value;
    }

    /// <summary>
    /// Shuffles in place as <c>RandomState.shuffle</c> shuffles a 1-D array: Fisher–Yates from the
    /// end, swapping element i with element <see cref="Interval"/>(i) for i = n − 1 down to 1.
    /// </summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = (int)Interval((uint)i);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    private void Regenerate()
    {
        for (int i = 0; i < StateLength; i++)
        {
            uint y = (_state[i] & UpperMask) | (_state[(i + 1) % StateLength] & LowerMask);
            uint next = _state[(i + Offset) % StateLength] ^ (y >> 1);
            _state[i] = (y & 1) == 0 ? next : next ^ MatrixA;
        }

        _position = 0;
    }
}
