namespace GpuNngp.Kernels.Simd;

/// <summary>
/// The arithmetic of a bundle of lanes, whatever their element type: what the closed forms need
/// (constants come in as doubles and are rounded to the element type once).
/// </summary>
internal interface ILaneMath<TSelf>
    where TSelf : struct, ILaneMath<TSelf>
{
    /// <summary>The number of lanes in a bundle.</summary>
    static abstract int Count { get; }

    /// <summary>True when the hardware runs this width natively (otherwise the runtime emulates it, slowly).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>True for float lanes (24-bit significands: fewer Newton steps and series terms reach their precision).</summary>
    static abstract bool IsSingle { get; }

    /// <summary>
    /// True where a root or a quotient is faster from <see cref="ReciprocalSqrtEstimate"/> and
    /// <see cref="ReciprocalEstimate"/> refined by Newton steps than from the divider: AVX-512's
    /// 14-bit estimates, on the Intel cores where they were measured (the divider's 512-bit root 16
    /// cycles and more per vector). False on AVX2, which has no double estimates and whose divider
    /// was the faster on Zen 3 (docs/benchmarks.md).
    /// </summary>
    static abstract bool EstimatesBeatDivider { get; }

    /// <summary>Every lane <paramref name="value"/> (rounded to the element type).</summary>
    static abstract TSelf Broadcast(double value);

    /// <summary>One lane's value, widened to double (for tests, tails and double accumulators).</summary>
    double Lane(int lane);

    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf value);

    static abstract TSelf operator *(TSelf left, TSelf right);

    static abstract TSelf operator /(TSelf left, TSelf right);

    static abstract TSelf Sqrt(TSelf value);

    /// <summary>a·b + c rounded once (a fused multiply-add where the hardware has one).</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>c − a·b rounded once (one fused instruction, vfnmadd, where the hardware has one: no negation first).</summary>
    static abstract TSelf NegatedMultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>
    /// 1/x to at least 14 bits, from the hardware's estimate instruction where it has one (AVX-512's
    /// vrcp14pd, a few cycles on the FMA ports instead of the divider's sixteen), else exactly.
    /// </summary>
    static abstract TSelf ReciprocalEstimate(TSelf value);

    /// <summary>1/√x to at least 14 bits (vrsqrt14pd where the hardware has it, else exactly).</summary>
    static abstract TSelf ReciprocalSqrtEstimate(TSelf value);

    static abstract TSelf Abs(TSelf value);

    /// <summary>The magnitude of <paramref name="value"/> with the sign bit of <paramref name="sign"/> (one bitwise select, no comparison).</summary>
    static abstract TSelf CopySign(TSelf value, TSelf sign);

    /// <summary><paramref name="value"/> with its sign bit flipped where <paramref name="sign"/>'s is set (−value for negative sign, −0 included).</summary>
    static abstract TSelf FlipSign(TSelf value, TSelf sign);

    static abstract TSelf Min(TSelf left, TSelf right);

    static abstract TSelf Max(TSelf left, TSelf right);

    /// <summary>All-ones lanes where left &lt; right, zero elsewhere.</summary>
    static abstract TSelf LessThan(TSelf left, TSelf right);

    /// <summary>All-ones lanes where left &gt; right, zero elsewhere.</summary>
    static abstract TSelf GreaterThan(TSelf left, TSelf right);

    /// <summary>Per lane: <paramref name="whenTrue"/> where <paramref name="mask"/> is all ones, else <paramref name="whenFalse"/>.</summary>
    static abstract TSelf Select(TSelf mask, TSelf whenTrue, TSelf whenFalse);
}
