using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNngp.Kernels.Simd;

/// <summary>Eight lanes as two independent 256-bit vectors (AVX2 machines).</summary>
internal readonly struct Vector256Pair : ISimdLanes<Vector256Pair>
{
    private readonly Vector256<double> _low;
    private readonly Vector256<double> _high;

    private Vector256Pair(Vector256<double> low, Vector256<double> high)
    {
        _low = low;
        _high = high;
    }

    public static int Count => 2 * Vector256<double>.Count;

    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    public static bool IsSingle => false;

    public static bool EstimatesBeatDivider => Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256Pair Load(double[] values, long index) =>
        new(Vector256.LoadUnsafe(ref values[index]), Vector256.LoadUnsafe(ref values[index + Vector256<double>.Count]));

    /// <remarks>Bounds-checked once for the whole bundle; the loads themselves are unchecked.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256Pair LoadSpan(ReadOnlySpan<double> values, int index)
    {
        ref readonly double first = ref values.Slice(index, Count)[0];
        return new(Vector256.LoadUnsafe(in first), Vector256.LoadUnsafe(in first, (nuint)Vector256<double>.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256Pair Broadcast(double value) => new(Vector256.Create(value), Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256Pair BroadcastAt(double[] values, long index)
    {
        double value = values[index];
        return new(Vector256.Create(value), Vector256.Create(value));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(double[] values, long index)
    {
        _low.StoreUnsafe(ref values[index]);
        _high.StoreUnsafe(ref values[index + Vector256<double>.Count]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreSpan(Span<double> values, int index)
    {
        ref double first = ref values.Slice(index, Count)[0];
        _low.StoreUnsafe(ref first);
        _high.StoreUnsafe(ref first, (nuint)Vector256<double>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256Pair LoadAt(ref readonly double first) => new(Vector256.LoadUnsafe(in first), Vector256.LoadUnsafe(in first, (nuint)Vector256<double>.Count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreAt(ref double first)
    {
        _low.StoreUnsafe(ref first);
        _high.StoreUnsafe(ref first, (nuint)Vector256<double>.Count);
    }

    public double Lane(int lane) => lane < Vector256<double>.Count ? _low[lane] : _high[lane - Vector256<double>.Count];

    public static Vector256Pair operator +(Vector256Pair left, Vector256Pair right) => new(left._low + right._low, left._high + right._high);

    public static Vector256Pair operator -(Vector256Pair left, Vector256Pair right) => new(left._low - right._low, left._high - right._high);

    public static Vector256Pair operator -(Vector256Pair value) => new(-value._low, -value._high);

    public static Vector256Pair operator *(Vector256Pair left, Vector256Pair right) => new(left._low * right._low, left._high * right._high);

    public static Vector256Pair operator /(Vector256Pair left, Vector256Pair right) => new(left._low / right._low, left._high / right._high);

    public static Vector256Pair Sqrt(Vector256Pair value) => new(Vector256.Sqrt(value._low), Vector256.Sqrt(value._high));

    public static Vector256Pair MultiplyAdd(Vector256Pair a, Vector256Pair b, Vector256Pair c) =>
        new(Vector256.FusedMultiplyAdd(a._low, b._low, c._low), Vector256.FusedMultiplyAdd(a._high, b._high, c._high));

    public static Vector256Pair NegatedMultiplyAdd(Vector256Pair a, Vector256Pair b, Vector256Pair c) =>
        Fma.IsSupported
            ? new(Fma.MultiplyAddNegated(a._low, b._low, c._low), Fma.MultiplyAddNegated(a._high, b._high, c._high))
            : MultiplyAdd(-a, b, c);

    public static Vector256Pair ReciprocalEstimate(Vector256Pair value) =>
        Avx512F.VL.IsSupported ? new(Avx512F.VL.Reciprocal14(value._low), Avx512F.VL.Reciprocal14(value._high)) : new(Vector256<double>.One / value._low, Vector256<double>.One / value._high);

    public static Vector256Pair ReciprocalSqrtEstimate(Vector256Pair value) =>
        Avx512F.VL.IsSupported
            ? new(Avx512F.VL.ReciprocalSqrt14(value._low), Avx512F.VL.ReciprocalSqrt14(value._high))
            : new(Vector256<double>.One / Vector256.Sqrt(value._low), Vector256<double>.One / Vector256.Sqrt(value._high));

    public static Vector256Pair Abs(Vector256Pair value) => new(Vector256.Abs(value._low), Vector256.Abs(value._high));

    public static Vector256Pair CopySign(Vector256Pair value, Vector256Pair sign) =>
        new(Vector256.CopySign(value._low, sign._low), Vector256.CopySign(value._high, sign._high));

    public static Vector256Pair FlipSign(Vector256Pair value, Vector256Pair sign)
    {
        Vector256<double> signBit = Vector256.Create((double)(-0.0));
        return new(value._low ^ (sign._low & signBit), value._high ^ (sign._high & signBit));
    }

    public static Vector256Pair Min(Vector256Pair left, Vector256Pair right) =>
        new(Vector256.Min(left._low, right._low), Vector256.Min(left._high, right._high));

    public static Vector256Pair Max(Vector256Pair left, Vector256Pair right) =>
        new(Vector256.Max(left._low, right._low), Vector256.Max(left._high, right._high));

    public static Vector256Pair LessThan(Vector256Pair left, Vector256Pair right) =>
        new(Vector256.LessThan(left._low, right._low), Vector256.LessThan(left._high, right._high));

    public static Vector256Pair GreaterThan(Vector256Pair left, Vector256Pair right) =>
        new(Vector256.GreaterThan(left._low, right._low), Vector256.GreaterThan(left._high, right._high));

    public static Vector256Pair Select(Vector256Pair mask, Vector256Pair whenTrue, Vector256Pair whenFalse) =>
        new(Vector256.ConditionalSelect(mask._low, whenTrue._low, whenFalse._low), Vector256.ConditionalSelect(mask._high, whenTrue._high, whenFalse._high));
}
