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

    private static (double F, double FDot) Evaluate(double a, double b, double k, double q1, double q2)
    {
        double[] roots = new double[2], inverse = new double[2];
        SliceClosedForms.Roots([q1, q2], roots, inverse);
        var (f, fDot) = SliceClosedForms.AbRelu(a, b, Vector256Pair.Broadcast(k), Vector256Pair.Broadcast(roots[0] * roots[1]), Vector256Pair.Broadcast(inverse[0] * inverse[1]));
        return (f.Lane(0), fDot.Lane(0));
    }
}
