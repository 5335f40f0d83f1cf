using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNngp.Kernels.Simd;

/// <summary>
/// Thirty-two float lanes as two independent 512-bit vectors (AVX-512 machines): the spatial kernel's
/// FP32 option, twice <see cref="Vector512Pair"/>'s lanes in the same registers and bytes.
/// </summary>
internal readonly struct Single512Pair : ILanes<Single512Pair, float>
{
    private readonly Vector512<float> _low;
    private readonly Vector512<float> _high;

    private Single512Pair(Vector512<float> low, Vector512<float> high)
    {
        _low = low;
        _high = high;
    }

    public static int Count => 2 * Vector512<float>.Count;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    public static bool IsSingle => true;

    public static bool EstimatesBeatDivider => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Single512Pair Load(float[] values, long index) =>
        new(Vector512.LoadUnsafe(ref values[index]), Vector512.LoadUnsafe(ref values[index + Vector512<float>.Count]));

    /// <remarks>Bounds-checked once for the whole bundle; the loads themselves are unchecked.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Single512Pair LoadSpan(ReadOnlySpan<float> values, int index)
    {
        ref readonly float first = ref values.Slice(index, Count)[0];
        return new(Vector512.LoadUnsafe(in first), Vector512.LoadUnsafe(in first, (nuint)Vector512<float>.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Single512Pair Broadcast(double value) => new(Vector512.Create((float)value), Vector512.Create((float)value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Single512Pair BroadcastAt(float[] values, long index)
    {
        float value = values[index];
        return new(Vector512.Create(value), Vector512.Create(value));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(float[] values, long index)
    {
        _low.StoreUnsafe(ref values[index]);
        _high.StoreUnsafe(ref values[index + Vector512<float>.Count]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreSpan(Span<float> values, int index)
    {
        ref float first = ref values.Slice(index, Count)[0];
        _low.StoreUnsafe(ref first);
        _high.StoreUnsafe(ref first, (nuint)Vector512<float>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Single512Pair LoadAt(ref readonly float first) => new(Vector512.LoadUnsafe(in first), Vector512.LoadUnsafe(in first, (nuint)Vector512<float>.Count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreAt(ref float first)
    {
        _low.StoreUnsafe(ref first);
        _high.StoreUnsafe(ref first, (nuint)Vector512<float>.Count);
    }

    public double Lane(int lane) => lane < Vector512<float>.Count ? _low[lane] : _high[lane - Vector512<float>.Count];

    public static Single512Pair operator +(Single512Pair left, Single512Pair right) => new(left._low + right._low, left._high + right._high);

    public static Single512Pair operator -(Single512Pair left, Single512Pair right) => new(left._low - right._low, left._high - right._high);

    public static Single512Pair operator -(Single512Pair value) => new(-value._low, -value._high);

    public static Single512Pair operator *(Single512Pair left, Single512Pair right) => new(left._low * right._low, left._high * right._high);

    public static Single512Pair operator /(Single512Pair left, Single512Pair right) => new(left._low / right._low, left._high / right._high);

    public static Single512Pair Sqrt(Single512Pair value) => new(Vector512.Sqrt(value._low), Vector512.Sqrt(value._high));

    public static Single512Pair MultiplyAdd(Single512Pair a, Single512Pair b, Single512Pair c) =>
        new(Vector512.FusedMultiplyAdd(a._low, b._low, c._low), Vector512.FusedMultiplyAdd(a._high, b._high, c._high));

    public static Single512Pair NegatedMultiplyAdd(Single512Pair a, Single512Pair b, Single512Pair c) =>
        Avx512F.IsSupported
            ? new(Avx512F.FusedMultiplyAddNegated(a._low, b._low, c._low), Avx512F.FusedMultiplyAddNegated(a._high, b._high, c._high))
            : MultiplyAdd(-a, b, c);

    public static Single512Pair ReciprocalEstimate(Single512Pair value) =>
        Avx512F.IsSupported ? new(Avx512F.Reciprocal14(value._low), Avx512F.Reciprocal14(value._high)) : new(Vector512<float>.One / value._low, Vector512<float>.One / value._high);

    public static Single512Pair ReciprocalSqrtEstimate(Single512Pair value) =>
        Avx512F.IsSupported
            ? new(Avx512F.ReciprocalSqrt14(value._low), Avx512F.ReciprocalSqrt14(value._high))
            : new(Vector512<float>.One / Vector512.Sqrt(value._low), Vector512<float>.One / Vector512.Sqrt(value._high));

    public static Single512Pair Abs(Single512Pair value) => new(Vector512.Abs(value._low), Vector512.Abs(value._high));

    public static Single512Pair CopySign(Single512Pair value, Single512Pair sign) =>
        new(Vector512.CopySign(value._low, sign._low), Vector512.CopySign(value._high, sign._high));

    public static Single512Pair FlipSign(Single512Pair value, Single512Pair sign)
    {
        Vector512<float> signBit = Vector512.Create((float)(-0.0));
        return new(value._low ^ (sign._low & signBit), value._high ^ (sign._high & signBit));
    }

    public static Single512Pair Min(Single512Pair left, Single512Pair right) =>
        new(Vector512.Min(left._low, right._low), Vector512.Min(left._high, right._high));

    public static Single512Pair Max(Single512Pair left, Single512Pair right) =>
        new(Vector512.Max(left._low, right._low), Vector512.Max(left._high, right._high));

    public static Single512Pair LessThan(Single512Pair left, Single512Pair right) =>
        new(Vector512.LessThan(left._low, right._low), Vector512.LessThan(left._high, right._high));

    public static Single512Pair GreaterThan(Single512Pair left, Single512Pair right) =>
        new(Vector512.GreaterThan(left._low, right._low), Vector512.GreaterThan(left._high, right._high));

    public static Single512Pair Select(Single512Pair mask, Single512Pair whenTrue, Single512Pair whenFalse) =>
        new(Vector512.ConditionalSelect(mask._low, whenTrue._low, whenFalse._low), Vector512.ConditionalSelect(mask._high, whenTrue._high, whenFalse._high));
}
