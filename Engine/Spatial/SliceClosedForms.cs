using System.Numerics;
using System.Runtime.CompilerServices;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Simd;

namespace GpuNngp.Engine.Spatial;

/// <summary>
/// The ReLU family's closed form (<see cref="ClosedForms.AbRelu"/>) for the spatial kernel's lanes,
/// built for a long loop of independent entries rather than lane-for-lane equality with the scalar
/// code (which the fused dense map promises). The scalar form's cost is the divider's (two square
/// roots and three divisions per entry, 16 cycles and more per vector each on AVX-512); here none is
/// left: c = K·(1/√q_i)(1/√q_j) and the scale √q_i·√q_j are products of per-pixel roots
/// (<see cref="Roots"/>), √(1 − c²) and arctan's one quotient come from the hardware's 14-bit
/// estimates refined by Newton steps on the FMA ports, and arctan is a near-minimax polynomial of 9
/// terms. Measured 1.37× faster per entry than with the divider and the 16-term series (3.20 against
/// 4.38 ns per lane, one core of the 2-core AVX-512 Xeon, 2026-12-01; entries in L2). Over float
/// lanes (the FP32 option) the same steps take fewer refinements: see each method. Where the lanes
/// say the divider is the faster (<see cref="ILaneMath{TSelf}.EstimatesBeatDivider"/>: AVX2, which
/// has no double estimates) the root and the quotient are the divider's, correctly rounded: on
/// Zen 3 the √ alone is 2.4–3× faster so (0.96–0.98 against 2.29–2.92 ns per lane), NT's 21-layer network
/// 1.28–1.36× faster end to end (the 2-core AMD EPYC, 2026-12-02: docs/benchmarks.md).
/// </summary>
/// <remarks>
/// The product rounds differently from K/√(q_i q_j): a point with itself could give c a few ulps
/// from 1, where Ḟ = (π − θ)/(2π) is infinitely steep (one ulp of c moves Ḟ by ~2e-9). So c within
/// 4 ulps of ±1 is taken as ±1: exact for a point with itself and for duplicates, and no further
/// from the scalar form than c's own rounding allows elsewhere.
/// </remarks>
internal static class SliceClosedForms
{
    private const double InvTwoPi = 1 / (2 * Math.PI);

    /// <summary>Within 4 ulps of 1 (double).</summary>
    private const double NearOne = 1 - 8.881784197001252e-16;

    /// <summary>Within 4 ulps of 1 (float: 4·2⁻²³).</summary>
    private const double NearOneSingle = 1 - 4.76837158203125e-7;

    /// <summary>tan(π/12): arctan's argument above it is rotated by π/6.</summary>
    private const double TanPiOver12 = 0.26794919243112270;

    private const double Sqrt3 = 1.7320508075688772;

    /// <summary>
    /// √q and 1/√q of every pixel variance (1/√q = 0 where q = 0, so that c = 0 there, as the
    /// closed form's guard makes it).
    /// </summary>
    public static void Roots<TElement>(ReadOnlySpan<TElement> variances, Span<TElement> roots, Span<TElement> inverseRoots)
        where TElement : IFloatingPointIeee754<TElement>
    {
        for (int e = 0; e < variances.Length; e++)
        {
            TElement root = TElement.Sqrt(variances[e]);
            roots[e] = root;
            inverseRoots[e] = root > TElement.Zero ? TElement.One / root : TElement.Zero;
        }
    }

    /// <summary>F and Ḟ of the (a, b)-ReLU at K = <paramref name="k12"/>, given √(q_i q_j) = <paramref name="norm"/> and its inverse.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (T F, T FDot) AbRelu<T>(double a, double b, T k12, T norm, T inverseNorm)
        where T : struct, ILaneMath<T>
    {
        // c within 4 ulps of ±1 (or past it) is ±1: no clamp needed after, and 1 − c² ≥ 0 exactly.
        // The sign goes back on by its bit (no comparison, no mask), and 1 − c² is one fused
        // multiply-add: c² exact inside it, one rounding, as accurate as (1 − |c|)(1 + |c|).
        T one = T.Broadcast(1);
        T c = k12 * inverseNorm;
        T magnitude = T.Abs(c);
        magnitude = T.Select(T.GreaterThan(magnitude, T.Broadcast(T.IsSingle ? NearOneSingle : NearOne)), one, magnitude);
        c = T.CopySign(magnitude, c);
        T u = one + magnitude;
        T y = T.NegatedMultiplyAdd(magnitude, magnitude, one);
        T s = T.EstimatesBeatDivider ? SqrtByNewton(y) : T.Sqrt(y);

        // θ = 2·arctan(s/u) for c ≥ 0 (π minus it below), u = 1 + |c|. Above tan(π/12) arctan's
        // argument t is rotated, arctan t = π/6 − arctan((1 − t√3)/(t + √3)), both branches' quotients
        // as one: t > tan(π/12) ⇔ s > tan(π/12)·u.
        T sqrt3 = T.Broadcast(Sqrt3);
        T rotated = T.GreaterThan(s, T.Broadcast(TanPiOver12) * u);
        T numerator = T.Select(rotated, T.NegatedMultiplyAdd(s, sqrt3, u), s);
        T denominator = T.Select(rotated, T.MultiplyAdd(u, sqrt3, s), u);
        T half = AtanSeries(T.EstimatesBeatDivider ? QuotientByNewton(numerator, denominator) : numerator / denominator);
        half = T.Select(rotated, T.Broadcast(Math.PI / 6) - half, half);
        // θ = π/2 ± (twice − π/2), minus for c < 0: exactly 0 and π at c = ±1 (twice = 0 there).
        T twice = half + half;
        T quarter = T.Broadcast(Math.PI / 2);
        T theta = quarter + T.FlipSign(twice - quarter, c);
        double d = a - b;
        double dd = d * d;
        T fDot = T.NegatedMultiplyAdd(T.Broadcast(dd * InvTwoPi), theta, T.Broadcast(0.5 * ((a * a) + (b * b))));
        T f = norm * T.MultiplyAdd(fDot, c, T.Broadcast(dd * InvTwoPi) * s);
        return (f, fDot);
    }

    /// <summary>
    /// √y for y ≥ 0 without the divider: the 14-bit estimate r of 1/√y, one third-order Newton step
    /// (r(1 + e/2 + 3e²/8), e = 1 − y r², ~42 bits), s = y·r, and one Newton step on s itself
    /// (s + r(y − s²)/2) for the last bits. The estimate is taken of y + 1e-300, so that y = 0 (a
    /// pair with c = ±1) gives s = 0, not 0·∞; the shift moves no y above 1e-284 and leaves s of
    /// smaller y below 1e-142. Float lanes skip the third-order step (s's one Newton step takes the
    /// 14-bit estimate past float's 24 bits) and shift by 1e-30 (float's y is 0 or above 4e-7).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T SqrtByNewton<T>(T y)
        where T : struct, ILaneMath<T>
    {
        if (T.IsSingle)
        {
            T estimate = T.ReciprocalSqrtEstimate(y + T.Broadcast(1e-30));
            T root = y * estimate;
            return T.MultiplyAdd(T.NegatedMultiplyAdd(root, root, y), T.Broadcast(0.5) * estimate, root);
        }

        T r = T.ReciprocalSqrtEstimate(y + T.Broadcast(1e-300));
        T e = T.NegatedMultiplyAdd(y * r, r, T.Broadcast(1));
        r = T.MultiplyAdd(r, e * T.MultiplyAdd(e, T.Broadcast(0.375), T.Broadcast(0.5)), r);
        T s = y * r;
        return T.MultiplyAdd(T.NegatedMultiplyAdd(s, s, y), T.Broadcast(0.5) * r, s);
    }

    /// <summary>
    /// n/d for d ≥ 1 without the divider: the 14-bit estimate x of 1/d, one third-order Newton step
    /// (x(1 + e + e²), e = 1 − d x), q = n·x, and one correction of q by its residual n − d q.
    /// Float lanes skip the third-order step: the correction alone takes 14 bits past 24.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T QuotientByNewton<T>(T n, T d)
        where T : struct, ILaneMath<T>
    {
        T x = T.ReciprocalEstimate(d);
        if (T.IsSingle)
        {
            T quotient = n * x;
            return T.MultiplyAdd(T.NegatedMultiplyAdd(d, quotient, n), x, quotient);
        }

        T e = T.NegatedMultiplyAdd(d, x, T.Broadcast(1));
        x = T.MultiplyAdd(x, T.MultiplyAdd(e, e, e), x);
        T q = n * x;
        return T.MultiplyAdd(T.NegatedMultiplyAdd(d, q, n), x, q);
    }

    /// <summary>
    /// arctan(a) for |a| ≤ tan(π/12) as a + a·z·h(z), z = a², h of degree 8 by Horner's rule: a
    /// near-minimax fit of (arctan(a)/a − 1)/z on [0, tan²(π/12)] (weighted least squares in 80-bit
    /// arithmetic against the series), relative error at most 1.1e-16 there, where the Taylor series
    /// needs 14 terms. Float lanes take the Taylor series to a¹¹ (h of degree 4): its truncation,
    /// z⁶/13 ≤ 1.1e-8 relative, is below float's half ulp (6e-8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T AtanSeries<T>(T a)
        where T : struct, ILaneMath<T>
    {
        T z = a * a;
        if (T.IsSingle)
        {
            T taylor = T.MultiplyAdd(T.Broadcast(-1.0 / 11), z, T.Broadcast(1.0 / 9));
            taylor = T.MultiplyAdd(taylor, z, T.Broadcast(-1.0 / 7));
            taylor = T.MultiplyAdd(taylor, z, T.Broadcast(1.0 / 5));
            taylor = T.MultiplyAdd(taylor, z, T.Broadcast(-1.0 / 3));
            return T.MultiplyAdd(a * z, taylor, a);
        }

        T h = T.MultiplyAdd(T.Broadcast(-0.020159097083560697), z, T.Broadcast(0.05030541020304774));
        h = T.MultiplyAdd(h, z, T.Broadcast(-0.06553207382101774));
        h = T.MultiplyAdd(h, z, T.Broadcast(0.07683615746333926));
        h = T.MultiplyAdd(h, z, T.Broadcast(-0.09090509106702822));
        h = T.MultiplyAdd(h, z, T.Broadcast(0.11111100153048238));
        h = T.MultiplyAdd(h, z, T.Broadcast(-0.1428571411791784));
        h = T.MultiplyAdd(h, z, T.Broadcast(0.19999999998767978));
        h = T.MultiplyAdd(h, z, T.Broadcast(-0.33333333333330295));
        return T.MultiplyAdd(a * z, h, a);
    }
}
