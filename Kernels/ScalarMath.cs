namespace GpuNngp.Kernels;

/// <summary>
/// Inverse trigonometric functions built from +, ×, ÷ and √ only. PTX has no double-precision
/// arccos, and the CPU's libm and a GPU library would round differently; computing them here the
/// same way on both sides keeps the CPU and GPU kernels within a few ulp of each other.
/// Accuracy: within 4 ulp of System.Math over the whole domain (tested).
/// </summary>
public static class ScalarMath
{
    private const double HalfPi = Math.PI / 2;
    private const double SixthPi = Math.PI / 6;
    private const double TanTwelfthPi = 0.26794919243112270; // tan(π/12)
    private const double Sqrt3 = 1.7320508075688772;

    /// <summary>arctan(x) for any finite x.</summary>
    public static double Atan(double x)
    {
        bool negative = x < 0;
        double a = negative ? -x : x;
        bool inverted = a > 1;
        if (inverted)
        {
            a = 1 / a;
        }

        // Rotate by π/6 so that |a| ≤ tan(π/12), then halve the angle once: |a| ≤ 0.135,
        // where 12 terms of the Taylor series are below double rounding.
        bool rotated = a > TanTwelfthPi;
        if (rotated)
        {
            a = (a * Sqrt3 - 1) / (a + Sqrt3);
        }

        a /= 1 + Math.Sqrt(1 + a * a);
        double a2 = a * a;
        double series = 1.0 / 23;
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
        double result = 2 * a * series;

        if (rotated)
        {
            result += SixthPi;
        }

        if (inverted)
        {
            result = HalfPi - result;
        }

        return negative ? -result : result;
    }

    /// <summary>
    /// arccos(c) for c in [−1, 1] given s = √(1 − c²), which the callers have already computed;
    /// going through atan(s / c) keeps full relative accuracy near c = ±1 where arccos is steep.
    /// </summary>
    public static double Acos(double c, double s)
    {
        if (c > 0)
        {
            return Atan(s / c);
        }

        if (c < 0)
        {
            return Math.PI - Atan(s / -c);
        }

        return HalfPi;
    }

    /// <summary>arcsin(x) for x in [−1, 1].</summary>
    public static double Asin(double x)
    {
        double t = SqrtOneMinusSquare(x);
        double magnitude = x < 0 ? -x : x;
        if (magnitude <= t)
        {
            return Atan(x / t);
        }

        double angle = HalfPi - Atan(t / magnitude);
        return x < 0 ? -angle : angle;
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
