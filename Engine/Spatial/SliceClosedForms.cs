using System.Runtime.CompilerServices;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Simd;

namespace GpuNngp.Engine.Spatial;

/// <summary>
/// The ReLU family's closed form (<see cref="ClosedForms.AbRelu"/>) for the spatial kernel's lanes,
/// built for a long loop of independent entries rather than lane-for-lane equality with the scalar
/// code (which the fused dense map promises). Its cost is the divider's: the scalar form takes two
/// square roots and three divisions per entry; here c = K·(1/√q_i)(1/√q_j) and the scale
/// √q_i·√q_j are products of per-pixel roots (<see cref="Roots"/>), which leaves one root and two
/// divisions, and arctan's 16-term series is evaluated by Estrin's scheme (depth 4 instead of 16).
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

    /// <summary>Within 4 ulps of 1.</summary>
    private const double NearOne = 1 - 8.881784197001252e-16;

    /// <summary>
    /// √q and 1/√q of every pixel variance (1/√q = 0 where q = 0, so that c = 0 there, as the
    /// closed form's guard makes it).
    /// </summary>
    public static void Roots(ReadOnlySpan<double> variances, Span<double> roots, Span<double> inverseRoots)
    {
        for (int e = 0; e < variances.Length; e++)
        {
            double root = Math.Sqrt(variances[e]);
            roots[e] = root;
            inverseRoots[e] = root > 0 ? 1 / root : 0;
        }
    }

    /// <summary>F and Ḟ of the (a, b)-ReLU at K = <paramref name="k12"/>, given √(q_i q_j) = <paramref name="norm"/> and its inverse.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (T F, T FDot) AbRelu<T>(double a, double b, T k12, T norm, T inverseNorm)
        where T : struct, ISimdLanes<T>
    {
        T zero = T.Broadcast(0), one = T.Broadcast(1);
        T c = VectorScalarMath.ClampUnit(k12 * inverseNorm);
        c = T.Select(T.GreaterThan(c, T.Broadcast(NearOne)), one, T.Select(T.LessThan(c, T.Broadcast(-NearOne)), -one, c));
        T s = VectorScalarMath.SqrtOneMinusSquare(c);
        T half = AtanUnit(s / (one + T.Abs(c)));
        T twice = T.Broadcast(2) * half;
        T theta = T.Select(T.LessThan(c, zero), T.Broadcast(Math.PI) - twice, twice);
        double d = a - b;
        double dd = d * d;
        T fDot = T.Broadcast(0.5 * ((a * a) + (b * b))) - (T.Broadcast(dd * InvTwoPi) * theta);
        T f = (T.Broadcast(dd * InvTwoPi) * norm * s) + (fDot * norm * c);
        return (f, fDot);
    }

    /// <summary>arctan(t) for t in [0, 1], as <see cref="ScalarMath.AtanUnit"/> (the π/6 rotation, 16 terms), the series by Estrin's scheme.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T AtanUnit<T>(T t)
        where T : struct, ISimdLanes<T>
    {
        T sqrt3 = T.Broadcast(1.7320508075688772);
        T rotated = T.GreaterThan(t, T.Broadcast(0.26794919243112270));
        T a = T.Select(rotated, ((t * sqrt3) - T.Broadcast(1)) / (t + sqrt3), t);
        T z = a * a;
        T z2 = z * z;
        T z4 = z2 * z2;
        T z8 = z4 * z4;

        // Σ_k (−1)^k z^k/(2k + 1), k = 0…15: pairs, then quadruples, octets, the whole.
        T p0 = Pair<T>(0, z), p1 = Pair<T>(2, z), p2 = Pair<T>(4, z), p3 = Pair<T>(6, z);
        T p4 = Pair<T>(8, z), p5 = Pair<T>(10, z), p6 = Pair<T>(12, z), p7 = Pair<T>(14, z);
        T q0 = p0 + (p1 * z2), q1 = p2 + (p3 * z2), q2 = p4 + (p5 * z2), q3 = p6 + (p7 * z2);
        T r0 = q0 + (q1 * z4), r1 = q2 + (q3 * z4);
        T result = a * (r0 + (r1 * z8));
        return T.Select(rotated, result + T.Broadcast(Math.PI / 6), result);
    }

    /// <summary>c_k + c_{k+1}·z for even k: 1/(2k + 1) − z/(2k + 3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Pair<T>(int k, T z)
        where T : struct, ISimdLanes<T> =>
        T.Broadcast(1.0 / ((2 * k) + 1)) - (z * T.Broadcast(1.0 / ((2 * k) + 3)));
}
