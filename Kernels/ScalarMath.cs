namespace GpuNngp.Kernels;

/// <summary>
/// Inverse trigonometric functions built from +, ×, ÷ and √ only. PTX has no double-precision
/// arccos, and the CPU's libm and a GPU library would round differently; computing them here the
/// same way on both sides keeps the CPU and GPU kernels within a few ulp of each other.
/// Accuracy: within a few ulp of System.Math over the whole domain (tested). The SIMD twins in
/// <see cref="Simd.VectorScalarMath"/> perform the same operations in the same order.
/// </summary>
internal static class ScalarMath
{
    private const double HalfPi = Math.PI / 2;
    private const double SixthPi = Math.PI / 6;
    private const double TanTwelfthPi = 0.26794919243112270; // tan(π/12)
    private const double Sqrt3 = 1.7320508075688772;

    /// <summary>arctan(x) for any finite x.</summary>
    public static double Atan(double x)
    {
        double a = x < 0 ? -x : x;
        double result = a > 1 ? HalfPi - AtanUnit(1 / a) : AtanUnit(a);
        return x < 0 ? -result : result;
    }

    /// <summary>
    /// arccos(c) for c in [−1, 1] given s = √(1 − c²), which the callers have already computed.
    /// Half-angle form: tan(θ/2) = s/(1 + c) for c ≥ 0 and tan((π − θ)/2) = s/(1 − c) for c &lt; 0,
    /// both in [0, 1]; one division, full relative accuracy near c = ±1 where arccos is steep.
    /// </summary>
    public static double Acos(double c, double s)
    {
        double magnitude = c < 0 ? -c : c;
        double half = AtanUnit(s / (1 + magnitude));
        return c < 0 ? Math.PI - 2 * half : 2 * half;
    }

    /// <summary>arcsin(x) for x in [−1, 1], as 2·arctan(x / (1 + √(1 − x²))): accurate for tiny x too.</summary>
    public static double Asin(double x)
    {
        double magnitude = x < 0 ? -x : x;
        double angle = 2 * AtanUnit(magnitude / (1 + SqrtOneMinusSquare(magnitude)));
        return x < 0 ? -angle : angle;
    }

    /// <summary>
    /// arctan(t) for t in [0, 1]: rotate by π/6 when t &gt; tan(π/12), leaving |t| ≤ 0.268, where 16
    /// terms of the Taylor series are 1e-20 below the leading one.
    /// </summary>
    public static double AtanUnit(double t)
    {
        bool rotated = t > TanTwelfthPi;
        double a = rotated ? (t * Sqrt3 - 1) / (t + Sqrt3) : t;
        double a2 = a * a;
        double series = 1.0 / 31;
        series = 1.0 / 29 - a2 * series;
        series = 1.0 / 27 - a2 * series;
        series = 1.0 / 25 - a2 * series;
        series = 1.0 / 23 - a2 * series;
        series = 1.0 / 21 - a2 * series;
        series = 1.0 / 19 - a2 * series;
        series = 1.0 / 17 - a2 * series;
        series = 1.0 / 15 - a2 * series;
        series = 1.0 / 13 - a2 * series;
        series = 1.0 / 11 - a2 * series;
        series = 1.0 / 9 - a2 * series;
        series = 1.0 / 7 - a2 * series;
        series = 1.0 / 5 - a2 * series;
        series = 1.0 / 3 - a2 * series;
        series = 1 - a2 * series;
        double result = a * series;
        return rotated ? result + SixthPi : result;
    }

    /// <summary>√(1 − x²) as √((1 − x)(1 + x)), which keeps its accuracy near |x| = 1.</summary>
    public static double SqrtOneMinusSquare(double x)
    {
        double product = (1 - x) * (1 + x);
        return product > 0 ? Math.Sqrt(product) : 0;
    }

    /// <summary>x clamped to [−1, 1]: rounding can push a correlation just outside.</summary>
    public static double ClampUnit(double x) => x > 1 ? 1 : (x < -1 ? -1 : x);
}
