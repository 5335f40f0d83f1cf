using GpuNngp.Kernels;
using Xunit;

namespace GpuNngp.Engine.Tests.Kernels;

/// <summary>
/// ScalarMath's arctan / arccos / arcsin (+, ×, ÷, √ only, shared by the CPU and the GPU) against
/// System.Math, in ulp.
/// <para>
/// Measured before writing these bounds, over 2·10⁸ random arguments (uniform, log-uniform over
/// 10⁻⁵…10⁵ and 10⁻³⁰⁰…1, within 10⁻¹⁶ of ±1, and around the rotation threshold tan(π/12)) plus the
/// grids below: Atan ≤ 4 ulp, Acos ≤ 5 ulp, Asin ≤ 5 ulp (5 ulp in about 1 case in 10⁷; 90 % of
/// all arguments within 1 ulp). The bound asserted is 6 ulp: the measured maximum plus one ulp for
/// System.Math itself, which is correctly rounded in glibc but need not be on other platforms.
/// </para>
/// </summary>
public sealed class ScalarMathTests
{
    private const long BoundUlp = 6;

    private static readonly double TanTwelfthPi = Math.Tan(Math.PI / 12);

    /// <summary>Distance in units in the last place, counting +0 and −0 as equal and across zero.</summary>
    internal static long UlpDistance(double a, double b)
    {
        static long Ordered(double x)
        {
            long bits = BitConverter.DoubleToInt64Bits(x);
            return bits < 0 ? long.MinValue - bits : bits;
        }

        return Math.Abs(Ordered(a) - Ordered(b));
    }

    private static IEnumerable<double> Neighbours(double x, int count)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        for (int k = -count; k <= count; k++)
        {
            yield return BitConverter.Int64BitsToDouble(bits + k);
        }
    }

    private static IEnumerable<double> AtanArguments()
    {
        for (int i = -100_000; i <= 100_000; i++)
        {
            yield return i * 1e-4; // [−10, 10]
        }

        for (int i = 0; i <= 60_000; i++)
        {
            double x = Math.Pow(10, -300 + 600.0 * i / 60_000); // ±[1e-300, 1e300]
            yield return x;
            yield return -x;
        }

        foreach (double centre in new[] { TanTwelfthPi, 1.0, 1 / TanTwelfthPi, Math.Sqrt(3), 1 / Math.Sqrt(3) })
        {
            foreach (double x in Neighbours(centre, 2000))
            {
                yield return x;
                yield return -x;
            }
        }

        foreach (double x in new[] { 0.0, -0.0, double.Epsilon, -double.Epsilon, 1e-310, 2.2250738585072014E-308, 1e-20, 1e20, double.MaxValue, -double.MaxValue })
        {
            yield return x;
        }
    }

    private static IEnumerable<double> UnitArguments()
    {
        for (int i = -200_000; i <= 200_000; i++)
        {
            yield return i * 5e-6; // [−1, 1]
        }

        foreach (double x in Neighbours(1.0, 3000).Where(x => x <= 1))
        {
            yield return x;
            yield return -x;
        }

        for (int i = 0; i <= 20_000; i++)
        {
            double tiny = Math.Pow(10, -300 + 300.0 * i / 20_000); // ±[1e-300, 1]
            yield return tiny;
            yield return -tiny;
            double nearOne = 1 - Math.Pow(10, -16 + 16.0 * i / 20_000); // 1 − [1e-16, 1]
            yield return nearOne;
            yield return -nearOne;
        }

        // Where the arguments of the inner arctan cross tan(π/12): c = cos(π/6), sin(π/6), …
        foreach (double centre in new[] { Math.Sqrt(3) / 2, 0.5, Math.Sqrt(0.5), Math.Sin(Math.PI / 6 * 0.999) })
        {
            foreach (double x in Neighbours(centre, 2000))
            {
                yield return x;
                yield return -x;
            }
        }

        foreach (double x in new[] { 0.0, -0.0, double.Epsilon, -double.Epsilon, 1.0, -1.0 })
        {
            yield return x;
        }
    }

    [Fact]
    public void Atan_IsWithinBoundOfSystemMath_OverDenseGridsAndEdges() =>
        AssertWithinBound("Atan", AtanArguments(), ScalarMath.Atan, Math.Atan);

    [Fact]
    public void Acos_IsWithinBoundOfSystemMath_OverDenseGridsAndEdges() =>
        AssertWithinBound("Acos", UnitArguments(), c => ScalarMath.Acos(c, ScalarMath.SqrtOneMinusSquare(c)), Math.Acos);

    [Fact]
    public void Asin_IsWithinBoundOfSystemMath_OverDenseGridsAndEdges() =>
        AssertWithinBound("Asin", UnitArguments(), ScalarMath.Asin, Math.Asin);

    /// <summary>The largest ulp distance from System.Math over <paramref name="arguments"/> is at most <see cref="BoundUlp"/>.</summary>
    private static void AssertWithinBound(string name, IEnumerable<double> arguments, Func<double, double> ours, Func<double, double> reference)
    {
        long worst = 0;
        double worstAt = 0;
        foreach (double x in arguments)
        {
            long ulp = UlpDistance(ours(x), reference(x));
            if (ulp > worst)
            {
                worst = ulp;
                worstAt = x;
            }
        }

        Assert.True(worst <= BoundUlp, FormattableString.Invariant($"{name} is {worst} ulp from Math.{name} at {worstAt:R}"));
    }

    [Fact]
    public void ExactValuesAndSymmetries()
    {
        Assert.Equal(0.0, ScalarMath.Atan(0));
        Assert.Equal(0.0, ScalarMath.Acos(1, 0));
        Assert.Equal(Math.PI, ScalarMath.Acos(-1, 0));
        Assert.Equal(Math.PI / 2, ScalarMath.Acos(0, 1));
        Assert.Equal(Math.PI / 2, ScalarMath.Asin(1));
        Assert.Equal(-Math.PI / 2, ScalarMath.Asin(-1));
        Assert.Equal(0.0, ScalarMath.Asin(0));
        Assert.True(UlpDistance(ScalarMath.Atan(1), Math.PI / 4) <= 1);
        Assert.True(UlpDistance(ScalarMath.Atan(double.MaxValue), Math.PI / 2) <= 1);
        Assert.True(UlpDistance(ScalarMath.Atan(double.PositiveInfinity), Math.PI / 2) <= 1);

        // Tiny arguments: arctan(x) = arcsin(x) = x to double precision.
        foreach (double tiny in new[] { 1e-300, 1e-100, 1e-20, 1e-9 })
        {
            Assert.True(UlpDistance(ScalarMath.Atan(tiny), tiny) <= 1);
            Assert.True(UlpDistance(ScalarMath.Asin(tiny), tiny) <= 1);
        }

        var random = new Random(3);
        for (int i = 0; i < 10_000; i++)
        {
            double x = (random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-5, 6));
            Assert.Equal(-ScalarMath.Atan(x), ScalarMath.Atan(-x));
            double u = random.NextDouble() * 2 - 1;
            Assert.Equal(-ScalarMath.Asin(u), ScalarMath.Asin(-u));
            double s = ScalarMath.SqrtOneMinusSquare(u);
            Assert.True(Math.Abs(ScalarMath.Acos(u, s) + ScalarMath.Acos(-u, s) - Math.PI) <= 4e-16 * Math.PI);
        }
    }

    [Fact]
    public void SqrtOneMinusSquare_KeepsRelativeAccuracyNearOne()
    {
        foreach (double c in new[] { 1 - 1e-15, 1 - 1e-10, 0.999999, 0.5, 0.0 })
        {
            // Against √ of the once-rounded 1 − c² (a fused multiply-add): naive 1 − c·c would lose
            // every digit near c = 1, (1 − c)(1 + c) loses none (1 − c is exact for c ≥ 1/2).
            double expected = Math.Sqrt(Math.FusedMultiplyAdd(-c, c, 1));
            Assert.True(UlpDistance(ScalarMath.SqrtOneMinusSquare(c), expected) <= 2, FormattableString.Invariant($"c = {c:R}"));
            Assert.Equal(ScalarMath.SqrtOneMinusSquare(c), ScalarMath.SqrtOneMinusSquare(-c));
        }

        Assert.Equal(0.0, ScalarMath.SqrtOneMinusSquare(1));
        Assert.Equal(0.0, ScalarMath.SqrtOneMinusSquare(-1));
        Assert.Equal(0.0, ScalarMath.SqrtOneMinusSquare(1 + 1e-15)); // rounding past 1 is clamped, not NaN
    }
}
