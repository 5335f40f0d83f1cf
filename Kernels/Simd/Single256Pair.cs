using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNngp.Kernels.Simd;

/// <summary>Sixteen float lanes as two independent 256-bit vectors (AVX2 machines): <see cref="Single512Pair"/> where AVX-512 is missing.</summary>
internal readonly struct Single256Pair : ILanes<Single256Pair, float>
{
    private readonly Vector256<float> _low;
    private readonly Vector256<float> _high;

    private Single256Pair(Vector256<float> low, Vector256<float> high)
    {
        _low = low;
        _high = high;
    }

    public static int Count => 2 * Vector256<float>.Count;

    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    public static bool IsSingle => true;

    public static bool EstimatesBeatDivider => Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Single256Pair Load(float[] values, long index) =>
        new(Vector256.LoadUnsafe(ref values[index]), Vector256.LoadUnsafe(ref values[index + Vector256<float>.Count]));

    /// <remarks>Bounds-checked once for the whole bundle; the loads themselves are unchecked.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Single256Pair LoadSpan(ReadOnlySpan<float> values, int index)
    {
        ref readonly float first = ref values.Slice(index, Count)[0];
        return new(Vector256.LoadUnsafe(in first), Vector256.LoadUnsafe(in first, (nuint)Vector256<float>.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Single256Pair Broadcast(double value) => new(Vector256.Create((float)value), Vector256.Create((float)value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Single256Pair BroadcastAt(float[] values, long index)
    {
        float value = values[index];
        return new(Vector256.Create(value), Vector256.Create(value));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(float[] values, long index)
    {
        _low.StoreUnsafe(ref values[index]);
        _high.StoreUnsafe(ref values[index + Vector256<float>.Count]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreSpan(Span<float> values, int index)
    {
        ref float first = ref values.Slice(index, Count)[0];
        _low.StoreUnsafe(ref first);
        _high.StoreUnsafe(ref first, (nuint)Vector256<float>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Single256Pair LoadAt(ref readonly float first) => new(Vector256.LoadUnsafe(in first), Vector256.LoadUnsafe(in first, (nuint)Vector256<float>.Count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreAt(ref float first)
    {
        _low.StoreUnsafe(ref first);
        _high.StoreUnsafe(ref first, (nuint)Vector256<float>.Count);
    }

    public double Lane(int lane) => lane < Vector256<float>.Count ? _low[lane] : _high[lane - Vector256<float>.Count];

    public static Single256Pair operator +(Single256Pair left, Single256Pair right) => new(left._low + right._low, left._high + right._high);

    public static Single256Pair operator -(Single256Pair left, Single256Pair right) => new(left._low - right._low, left._high - right._high);

    public static Single256Pair operator -(Single256Pair value) => new(-value._low, -value._high);

    public static Single256Pair operator *(Single256Pair left, Single256Pair right) => new(left._low * right._low, left._high * right._high);

    public static Single256Pair operator /(Single256Pair left, Single256Pair right) => new(left._low / right._low, left._high / right._high);

    public static Single256Pair Sqrt(Single256Pair value) => new(Vector256.Sqrt(value._low), Vector256.Sqrt(value._high));

    public static Single256Pair MultiplyAdd(Single256Pair a, Single256Pair b, Single256Pair c) =>
        new(Vector256.FusedMultiplyAdd(a._low, b._low, c._low), Vector256.FusedMultiplyAdd(a._high, b._high, c._high));

    public static Single256Pair NegatedMultiplyAdd(Single256Pair a, Single256Pair b, Single256Pair c) =>
        Fma.IsSupported
            ? new(Fma.MultiplyAddNegated(a._low, b._low, c._low), Fma.MultiplyAddNegated(a._high, b._high, c._high))
            : MultiplyAdd(-a, b, c);

    public static Single256Pair ReciprocalEstimate(Single256Pair value) =>
        Avx512F.VL.IsSupported ? new(Avx512F.VL.Reciprocal14(value._low), Avx512F.VL.Reciprocal14(value._high)) : new(Vector256<float>.One / value._low, Vector256<float>.One / value._high);

    public static Single256Pair ReciprocalSqrtEstimate(Single256Pair value) =>
        Avx512F.VL.IsSupported
            ? new(Avx512F.VL.ReciprocalSqrt14(value._low), Avx512F.VL.ReciprocalSqrt14(value._high))
            : new(Vector256<float>.One / Vector256.Sqrt(value._low), Vector256<float>.One / Vector256.Sqrt(value._high));

    public static Single256Pair Abs(Single256Pair value) => new(Vector256.Abs(value._low), Vector256.Abs(value._high));

    public static Single256Pair CopySign(Single256Pair value, Single256Pair sign) =>
        new(Vector256.CopySign(value._low, sign._low), Vector256.CopySign(value._high, sign._high));

    public static Single256Pair FlipSign(Single256Pair value, Single256Pair sign)
    {
        Vector256<float> signBit = Vector256.Create((float)(-0.0));
        return new(value._low ^ (sign._low & signBit), value._high ^ (sign._high & signBit));
    }

    public static Single256Pair Min(Single256Pair left, Single256Pair right) =>
        new(Vector256.Min(left._low, right._low), Vector256.Min(left._high, right._high));

    public static Single256Pair Max(Single256Pair left, Single256Pair right) =>
        new(Vector256.Max(left._low, right._low), Vector256.Max(left._high, right._high));

    public static Single256Pair LessThan(Single256Pair left, Single256Pair right) =>
        new(Vector256.LessThan(left._low, right._low), Vector256.LessThan(left._high, right._high));

    public static Single256Pair GreaterThan(Single256Pair left, Single256Pair right) =>
        new(Vector256.GreaterThan(left._low, right._low), Vector256.GreaterThan(left._high, right._high));

    public static Single256Pair Select(Single256Pair mask, Single256Pair whenTrue, Single256Pair whenFalse) =>
        new(Vector256.ConditionalSelect(mask._low, whenTrue._low, whenFalse._low), Vector256.ConditionalSelect(mask._high, whenTrue._high, whenFalse._high));
}
