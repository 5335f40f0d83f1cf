using System.Runtime.Intrinsics;

namespace GpuNngp.Kernels.Simd;

/// <summary>
/// <see cref="ScalarMath"/> four lanes at a time: the same operations in the same order (the JIT
/// never fuses a multiply and an add on its own), so each lane equals the scalar result bit for bit.
/// </summary>
public static class VectorScalarMath
{
    private static readonly Vector256<double> One = Vector256.Create(1.0);
    private static readonly Vector256<double> Two = Vector256.Create(2.0);
    private static readonly Vector256<double> Pi = Vector256.Create(Math.PI);
    private static readonly Vector256<double> SixthPi = Vector256.Create(Math.PI / 6);
    private static readonly Vector256<double> TanTwelfthPi = Vector256.Create(0.26794919243112270);
    private static readonly Vector256<double> Sqrt3 = Vector256.Create(1.7320508075688772);

    /// <summary>Lane-wise <see cref="ScalarMath.Acos"/>.</summary>
    public static Vector256<double> Acos(Vector256<double> c, Vector256<double> s)
    {
        Vector256<double> half = AtanUnit(s / (One + Vector256.Abs(c)));
        Vector256<double> twice = Two * half;
        return Vector256.ConditionalSelect(Vector256.LessThan(c, Vector256<double>.Zero), Pi - twice, twice);
    }

    /// <summary>Lane-wise <see cref="ScalarMath.Asin"/>.</summary>
    public static Vector256<double> Asin(Vector256<double> x)
    {
        Vector256<double> magnitude = Vector256.Abs(x);
        Vector256<double> angle = Two * AtanUnit(magnitude / (One + SqrtOneMinusSquare(magnitude)));
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), -angle, angle);
    }

    /// <summary>Lane-wise <see cref="ScalarMath.AtanUnit"/>.</summary>
    public static Vector256<double> AtanUnit(Vector256<double> t)
    {
        Vector256<double> rotated = Vector256.GreaterThan(t, TanTwelfthPi);
        Vector256<double> a = Vector256.ConditionalSelect(rotated, (t * Sqrt3 - One) / (t + Sqrt3), t);
        Vector256<double> a2 = a * a;
        Vector256<double> series = Vector256.Create(1.0 / 31);
        series = Vector256.Create(1.0 / 29) - a2 * series;
        series = Vector256.Create(1.0 / 27) - a2 * series;
        series = Vector256.Create(1.0 / 25) - a2 * series;
        series = Vector256.Create(1.0 / 23) - a2 * series;
        series = Vector256.Create(1.0 / 21) - a2 * series;
        series = Vector256.Create(1.0 / 19) - a2 * series;
        series = Vector256.Create(1.0 / 17) - a2 * series;
        series = Vector256.Create(1.0 / 15) - a2 * series;
        series = Vector256.Create(1.0 / 13) - a2 * series;
        series = Vector256.Create(1.0 / 11) - a2 * series;
        series = Vector256.Create(1.0 / 9) - a2 * series;
        series = Vector256.Create(1.0 / 7) - a2 * series;
        series = Vector256.Create(1.0 / 5) - a2 * series;
        series = Vector256.Create(1.0 / 3) - a2 * series;
        series = One - a2 * series;
        Vector256<double> result = a * series;
        return Vector256.ConditionalSelect(rotated, result + SixthPi, result);
    }

    /// <summary>Lane-wise <see cref="ScalarMath.SqrtOneMinusSquare"/>.</summary>
    public static Vector256<double> SqrtOneMinusSquare(Vector256<double> x) =>
        Vector256.Sqrt(Vector256.Max((One - x) * (One + x), Vector256<double>.Zero));

    /// <summary>Lane-wise <see cref="ScalarMath.ClampUnit"/>.</summary>
    public static Vector256<double> ClampUnit(Vector256<double> x) =>
        Vector256.Min(Vector256.Max(x, -One), One);
}
