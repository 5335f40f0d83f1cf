using System.Runtime.CompilerServices;

namespace GpuNngp.Kernels;

/// <summary>
/// The default quadrature of the dual kernel for activations without a closed form: iterated
/// composite Gauss–Legendre in z₁, z₂ ~ N(0, 1), u = √k_out·z₁, v = √k_in·(c·z₁ + s·z₂), with
/// k_out ≥ k_in the larger and smaller variance and s = √(1 − c²).
/// <para>
/// Why not Gauss–Hermite: each φ here changes over a width of order 1 in its argument, i.e. 1/√q
/// in z, and a Gauss–Hermite rule cannot resolve that at large q (order 300 is still 1e-2 off at
/// q = 100). Here the panels are scaled to the variance and graded geometrically towards the
/// features: outer breakpoints at 0, ±g·2^k with g = 1/√k_out (one unit of u), inner ones around
/// z₂* = −c·z₁/s (where v = 0) with g = 1/(√k_in·s); no panel wider than 2; both integrals over
/// ±<see cref="Range"/> (the Gaussian mass beyond is 2e-19, its share of E[z²] 2e-17). m Gauss–Legendre points per
/// panel, times the Gaussian density. The outer variable carries the larger variance: the inner
/// expectation E[φ(v) | z₁] then changes in z₁ no faster than φ(u) does (on the scale
/// 1/(√k_in·|c|) ≥ 1/√k_out), so one grading serves both factors.
/// </para>
/// <para>
/// The layout depends only on (k11, k22, c, z₁): no tables, no allocation, so the same code runs
/// inside the GPU kernels. Symmetric in (k11, k22) by construction (the orientation is chosen by
/// the variances), so the entry for (x, x′) equals that for (x′, x) bit for bit. At c = ±1 (s = 0)
/// v = ±√k_in·z₁ exactly and the inner integral is φ(v) itself; at zero variance the panels are
/// the uniform ones of width 2 and F = φ(0)² to rounding.
/// </para>
/// </summary>
internal static class GradedGaussLegendreQuadrature
{
    /// <summary>Both integrals cover z ∈ [−Range, Range].</summary>
    public const double Range = 9;

    /// <summary>No panel is wider than this (in z): the Gaussian density itself must be resolved.</summary>
    public const double MaxPanelWidth = 2;

    /// <summary>
    /// The narrowest first panel: g below this only at variances beyond 1e22, where the grading
    /// would otherwise take thousands of empty panels to reach a width that moves a position.
    /// </summary>
    private const double MinGrading = 1e-12;

    private const double InvSqrtTwoPi = 0.398942280401432677939946059934;

    public static DualMoments Evaluate<TNetwork>(
        in TNetwork network, int layer, double k12, double k11, double k22, bool withDerivative)
        where TNetwork : struct, INetworkView
    {
        int points = network.QuadratureOrder;
        if (points <= 0)
        {
            return new DualMoments(double.NaN, double.NaN);
        }

        double kOut = k11 >= k22 ? k11 : k22;
        double kIn = k11 >= k22 ? k22 : k11;
        double su = Math.Sqrt(kOut);
        double sv = Math.Sqrt(kIn);
        double norm = su * sv;
        double c = norm > 0 ? ScalarMath.ClampUnit(k12 / norm) : 0;
        double s = ScalarMath.SqrtOneMinusSquare(c);
        double outerGrading = Grading(1 / su);
        double innerGrading = Grading(1 / (sv * s));
        double vSlope = sv * s;

        double f = 0;
        double fDot = 0;
        for (int side = 0; side < 2; side++)
        {
            // Panels from the centre 0 outwards: side 0 towards +Range, side 1 towards −Range.
            double direction = side == 0 ? 1 : -1;
            double start = 0;
            double distance = 0;
            while (NextPanel(ref start, ref distance, outerGrading, out double middle, out double half))
            {
                for (int i = 0; i < points; i++)
                {
                    double z1 = direction * (middle + half * network.QuadratureNode(i));
                    double weight = half * network.QuadratureWeight(i) * Density(z1);
                    double u = su * z1;
                    double vMean = sv * c * z1;
                    double inner;
                    double innerDot;
                    if (s > 0)
                    {
                        inner = Inner(in network, layer, vMean, vSlope, -c * z1 / s, innerGrading, withDerivative, points, out innerDot);
                    }
                    else
                    {
                        inner = network.Phi(layer, vMean);
                        innerDot = withDerivative ? network.PhiDerivative(layer, vMean) : 0;
                    }

                    f += weight * network.Phi(layer, u) * inner;
                    if (withDerivative)
                    {
                        fDot += weight * network.PhiDerivative(layer, u) * innerDot;
                    }
                }
            }
        }

        return new DualMoments(f, fDot);
    }

    /// <summary>
    /// E[φ(vMean + vSlope·z₂)] (and of φ′ into <paramref name="dot"/>) over z₂ ∈ [−Range, Range],
    /// panels graded from <paramref name="centre"/> (where v = 0) outwards; a centre outside the
    /// range starts the grading at its distance from the range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Inner<TNetwork>(
        in TNetwork network, int layer, double vMean, double vSlope, double centre, double grading, bool withDerivative, int points, out double dot)
        where TNetwork : struct, INetworkView
    {
        double sum = 0;
        double sumDot = 0;
        for (int side = 0; side < 2; side++)
        {
            // In p = direction·z₂ the side covers [max(p_c, −Range), Range].
            double direction = side == 0 ? 1 : -1;
            double pc = direction * centre;
            double start = Math.Max(pc, -Range);
            double distance = start - pc;
            while (NextPanel(ref start, ref distance, grading, out double middle, out double half))
            {
                for (int j = 0; j < points; j++)
                {
                    double z2 = direction * (middle + half * network.QuadratureNode(j));
                    double weight = half * network.QuadratureWeight(j) * Density(z2);
                    double v = vMean + vSlope * z2;
                    sum += weight * network.Phi(layer, v);
                    if (withDerivative)
                    {
                        sumDot += weight * network.PhiDerivative(layer, v);
                    }
                }
            }
        }

        dot = sumDot;
        return sum;
    }

    /// <summary>
    /// The next panel from <paramref name="start"/>, <paramref name="distance"/> from the centre:
    /// as wide as that distance (geometric grading), at least g, at most 2, clipped at the range;
    /// its middle and half-width, and advances both. False once the range is covered.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool NextPanel(ref double start, ref double distance, double grading, out double middle, out double half)
    {
        if (!(start < Range))
        {
            middle = 0;
            half = 0;
            return false;
        }

        double width = Math.Min(Math.Max(distance, grading), MaxPanelWidth);
        double end = Math.Min(start + width, Range);
        half = 0.5 * (end - start);
        middle = 0.5 * (end + start);
        distance += width;
        start = end;
        return true;
    }

    /// <summary>g itself, or the floor when it is smaller, zero or NaN (an infinite variance).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Grading(double g) => g >= MinGrading ? g : MinGrading;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Density(double z) => InvSqrtTwoPi * Math.Exp(-0.5 * z * z);
}
