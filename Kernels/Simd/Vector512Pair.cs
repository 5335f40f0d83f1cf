using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNngp.Kernels.Simd;

/// <summary>Sixteen lanes as two independent 512-bit vectors (AVX-512 machines).</summary>
internal readonly struct Vector512Pair : ISimdLanes<Vector512Pair>
{
    private readonly Vector512<double> _low;
    private readonly Vector512<double> _high;

    private Vector512Pair(Vector512<double> low, Vector512<double> high)
    {
        _low = low;
        _high = high;
    }

    public static int Count => 2 * Vector512<double>.Count;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    public static bool IsSingle => false;

    public static bool EstimatesBeatDivider => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Pair Load(double[] values, long index) =>
        new(Vector512.LoadUnsafe(ref values[index]), Vector512.LoadUnsafe(ref values[index + Vector512<double>.Count]));

    /// <remarks>Bounds-checked once for the whole bundle; the loads themselves are unchecked.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Pair LoadSpan(ReadOnlySpan<double> values, int index)
    {
        ref readonly double first = ref values.Slice(index, Count)[0];
        return new(Vector512.LoadUnsafe(in first), Vector512.LoadUnsafe(in first, (nuint)Vector512<double>.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Pair Broadcast(double value) => new(Vector512.Create(value), Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Pair BroadcastAt(double[] values, long index)
    {
        double value = values[index];
        return new(Vector512.Create(value), Vector512.Create(value));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(double[] values, long index)
    {
        _low.StoreUnsafe(ref values[index]);
        _high.StoreUnsafe(ref values[index + Vector512<double>.Count]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreSpan(Span<double> values, int index)
    {
        ref double first = ref values.Slice(index, Count)[0];
        _low.StoreUnsafe(ref first);
        _high.StoreUnsafe(ref first, (nuint)Vector512<double>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Pair LoadAt(ref readonly double first) => new(Vector512.LoadUnsafe(in first), Vector512.LoadUnsafe(in first, (nuint)Vector512<double>.Count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreAt(ref double first)
    {
        _low.StoreUnsafe(ref first);
        _high.StoreUnsafe(ref first, (nuint)Vector512<double>.Count);
    }

    public double Lane(int lane) => lane < Vector512<double>.Count ? _low[lane] : _high[lane - Vector512<double>.Count];

    public static Vector512Pair operator +(Vector512Pair left, Vector512Pair right) => new(left._low + right._low, left._high + right._high);

    public static Vector512Pair operator -(Vector512Pair left, Vector512Pair right) => new(left._low - right._low, left._high - right._high);

    public static Vector512Pair operator -(Vector512Pair value) => new(-value._low, -value._high);

    public static Vector512Pair operator *(Vector512Pair left, Vector512Pair right) => new(left._low * right._low, left._high * right._high);

    public static Vector512Pair operator /(Vector512Pair left, Vector512Pair right) => new(left._low / right._low, left._high / right._high);

    public static Vector512Pair Sqrt(Vector512Pair value) => new(Vector512.Sqrt(value._low), Vector512.Sqrt(value._high));

    public static Vector512Pair MultiplyAdd(Vector512Pair a, Vector512Pair b, Vector512Pair c) =>
        new(Vector512.FusedMultiplyAdd(a._low, b._low, c._low), Vector512.FusedMultiplyAdd(a._high, b._high, c._high));

    public static Vector512Pair NegatedMultiplyAdd(Vector512Pair a, Vector512Pair b, Vector512Pair c) =>
        Avx512F.IsSupported
            ? new(Avx512F.FusedMultiplyAddNegated(a._low, b._low, c._low), Avx512F.FusedMultiplyAddNegated(a._high, b._high, c._high))
            : MultiplyAdd(-a, b, c);

    public static Vector512Pair ReciprocalEstimate(Vector512Pair value) =>
        Avx512F.IsSupported ? new(Avx512F.Reciprocal14(value._low), Avx512F.Reciprocal14(value._high)) : new(Vector512<double>.One / value._low, Vector512<double>.One / value._high);

    public static Vector512Pair ReciprocalSqrtEstimate(Vector512Pair value) =>
        Avx512F.IsSupported
            ? new(Avx512F.ReciprocalSqrt14(value._low), Avx512F.ReciprocalSqrt14(value._high))
            : new(Vector512<double>.One / Vector512.Sqrt(value._low), Vector512<double>.One / Vector512.Sqrt(value._high));

    public static Vector512Pair Abs(Vector512Pair value) => new(Vector512.Abs(value._low), Vector512.Abs(value._high));

    public static Vector512Pair CopySign(Vector512Pair value, Vector512Pair sign) =>
        new(Vector512.CopySign(value._low, sign._low), Vector512.CopySign(value._high, sign._high));

    public static Vector512Pair FlipSign(Vector512Pair value, Vector512Pair sign)
    {
        Vector512<double> signBit = Vector512.Create((double)(-0.0));
        return new(value._low ^ (sign._low & signBit), value._high ^ (sign._high & signBit));
    }

    public static Vector512Pair Min(Vector512Pair left, Vector512Pair right) =>
        new(Vector512.Min(left._low, right._low), Vector512.Min(left._high, right._high));

    public static Vector512Pair Max(Vector512Pair left, Vector512Pair right) =>
        new(Vector512.Max(left._low, right._low), Vector512.Max(left._high, right._high));

    public static Vector512Pair LessThan(Vector512Pair left, Vector512Pair right) =>
        new(Vector512.LessThan(left._low, right._low), Vector512.LessThan(left._high, right._high));

    public static Vector512Pair GreaterThan(Vector512Pair left, Vector512Pair right) =>
        new(Vector512.GreaterThan(left._low, right._low), Vector512.GreaterThan(left._high, right._high));

    public static Vector512Pair Select(Vector512Pair mask, Vector512Pair whenTrue, Vector512Pair whenFalse) =>
        new(Vector512.ConditionalSelect(mask._low, whenTrue._low, whenFalse._low), Vector512.ConditionalSelect(mask._high, whenTrue._high, whenFalse._high));
}
