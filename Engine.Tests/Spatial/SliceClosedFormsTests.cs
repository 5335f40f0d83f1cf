using GpuNngp.Engine.Spatial;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Simd;
using Xunit;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>The spatial kernel's ReLU-family form (products of per-pixel roots, Estrin's arctan) against the scalar closed form.</summary>
public sealed class SliceClosedFormsTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.2, 1.0)]
    [InlineData(-0.5, 1.5)]
    public void AbRelu_EqualsTheScalarClosedForm(double a, double b)
    {
        var random = new Random(5);
        for (int trial = 0; trial < 2000; trial++)
        {
            double q1 = Math.Exp(random.NextDouble() * 12 - 6), q2 = Math.Exp(random.NextDouble() * 12 - 6);
            double k = (2 * random.NextDouble() - 1) * Math.Sqrt(q1 * q2);
            (double f, double fDot) = Evaluate(a, b, k, q1, q2);
            DualMoments expected = ClosedForms.AbRelu(a, b, k, q1, q2);
            Assert.True(Math.Abs(f - expected.F) <= 1e-14 * Math.Sqrt(q1 * q2), $"F({k}, {q1}, {q2}) = {f}, scalar {expected.F}");
            Assert.True(Math.Abs(fDot - expected.FDot) <= 1e-14, $"Ḟ({k}, {q1}, {q2}) = {fDot}, scalar {expected.FDot}");
        }
    }

    [Fact]
    public void APointWithItself_HasCExactlyOne()
    {
        // Ḟ = (π − θ)/(2π) is infinitely steep at c = 1: the products of roots must not leave c an ulp short.
        var random = new Random(6);
        for (int trial = 0; trial < 5000; trial++)
        {
            double q = Math.Exp(random.NextDouble() * 20 - 10);
            (double f, double fDot) = Evaluate(0, 1, q, q, q);
            Assert.Equal(0.5, fDot);
            Assert.True(Math.Abs(ClosedForms.AbRelu(0, 1, q, q, q).F - f) <= 2e-16 * q, $"F({q}) = {f}");
        }
    }

    [Fact]
    public void TheDividerFreeRootAndQuotient_AreWithinAnUlpOrTwo()
    {
        // Both start from a 14-bit hardware estimate (exact division where there is none): the Newton
        // steps must bring them to the last bits, and y = 0 must give 0, not NaN.
        var random = new Random(7);
        Assert.Equal(0.0, SliceClosedForms.SqrtByNewton(Vector512Pair.Broadcast(0)).Lane(0));
        for (int trial = 0; trial < 20000; trial++)
        {
            double y = trial % 10 == 0 ? Math.Exp(-random.NextDouble() * 600) : Math.Exp(random.NextDouble() * 40 - 20);
            double root = SliceClosedForms.SqrtByNewton(Vector512Pair.Broadcast(y)).Lane(0);
            Assert.True(y < 1e-284 ? Math.Abs(root - Math.Sqrt(y)) <= 1e-142 : Math.Abs(root - Math.Sqrt(y)) <= 2.3e-16 * Math.Sqrt(y), $"√{y} = {root}, Math.Sqrt {Math.Sqrt(y)}");
            double n = 4 * random.NextDouble() - 2, d = 1 + (4 * random.NextDouble());
            double q = SliceClosedForms.QuotientByNewton(Vector512Pair.Broadcast(n), Vector512Pair.Broadcast(d)).Lane(0);
            Assert.True(Math.Abs(q - (n / d)) <= 2.3e-16 * Math.Abs(n / d), $"{n}/{d} = {q}, divided {n / d}");
        }
    }

    private static (double F, double FDot) Evaluate(double a, double b, double k, double q1, double q2)
    {
        double[] roots = new double[2], inverse = new double[2];
        SliceClosedForms.Roots([q1, q2], roots, inverse);
        var (f, fDot) = SliceClosedForms.AbRelu(a, b, Vector256Pair.Broadcast(k), Vector256Pair.Broadcast(roots[0] * roots[1]), Vector256Pair.Broadcast(inverse[0] * inverse[1]));
        return (f.Lane(0), fDot.Lane(0));
    }
}
