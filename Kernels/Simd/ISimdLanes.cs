namespace GpuNngp.Kernels.Simd;

/// <summary>
/// A bundle of double lanes that the CPU's layer map evaluates together, so that one implementation
/// of the vector mathematics serves every width. Only IEEE-exact operations (+, −, ×, ÷, √, min, max,
/// comparisons, selection): each lane then equals the scalar path bit for bit, whatever the width.
/// </summary>
/// <remarks>
/// The map is a long dependent chain per entry (square roots, divisions, a 16-term series per layer),
/// so its speed is set by latency, not by width: a bundle of two independent vectors gives the core
/// two chains to interleave, which measured 1.6× (two 256-bit) and 3× (two 512-bit) faster than one
/// 256-bit vector (docs/benchmarks.md).
/// </remarks>
internal interface ISimdLanes<TSelf>
    where TSelf : struct, ISimdLanes<TSelf>
{
    /// <summary>The number of doubles in a bundle.</summary>
    static abstract int Count { get; }

    /// <summary>True when the hardware runs this width natively (otherwise the runtime emulates it, slowly).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>Count consecutive doubles from <paramref name="values"/>[<paramref name="index"/>].</summary>
    static abstract TSelf Load(double[] values, long index);

    /// <summary>Count consecutive doubles from <paramref name="values"/>[<paramref name="index"/>] (a column of a native matrix).</summary>
    static abstract TSelf LoadSpan(ReadOnlySpan<double> values, int index);

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TSelf Broadcast(double value);

    /// <summary>Writes the lanes to Count consecutive doubles from <paramref name="values"/>[<paramref name="index"/>].</summary>
    void Store(double[] values, long index);

    /// <summary>Writes the lanes to Count consecutive doubles from <paramref name="values"/>[<paramref name="index"/>].</summary>
    void StoreSpan(Span<double> values, int index);

    /// <summary>One lane's value (for tests and tails).</summary>
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

    static abstract TSelf Min(TSelf left, TSelf right);

    static abstract TSelf Max(TSelf left, TSelf right);

    /// <summary>All-ones lanes where left &lt; right, zero elsewhere.</summary>
    static abstract TSelf LessThan(TSelf left, TSelf right);

    /// <summary>All-ones lanes where left &gt; right, zero elsewhere.</summary>
    static abstract TSelf GreaterThan(TSelf left, TSelf right);

    /// <summary>Per lane: <paramref name="whenTrue"/> where <paramref name="mask"/> is all ones, else <paramref name="whenFalse"/>.</summary>
    static abstract TSelf Select(TSelf mask, TSelf whenTrue, TSelf whenFalse);
}
