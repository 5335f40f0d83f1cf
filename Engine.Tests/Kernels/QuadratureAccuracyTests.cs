using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using Xunit;

namespace GpuNngp.Engine.Tests.Kernels;

/// <summary>
/// The accuracy of the default Gauss–Hermite order (QuadratureRules.DefaultOrder = 64) for the
/// activations without a closed form, against the adaptive reference (GaussianExpectation), at
/// pre-activation variances q = 0.1, 1, 10, 100 and correlations up to ±0.999. The full table,
/// for orders 32–300, is in docs/mathematics.md.
/// <para>
/// Errors are relative to the entry's scale E[φ(u)²] (for F) and E[φ′(u)²] (for Ḟ), worst over c.
/// Gauss–Hermite integrates φ(√q·z) in z, and every one of these φ changes over a width of order 1
/// in u, i.e. 1/√q in z; the rule's resolution near z = 0 is about π/√n, so the error grows
/// quickly with q: order 64 is at rounding level for q ≤ 1 except tanh (whose poles at ±iπ/2 are
/// nearest the real axis), and is not usable at q = 100 — see the table; no order up to the
/// maximum of 300 reaches 1e-10 there either.
/// </para>
/// The bounds asserted are the measured worst errors times about 3 (rounded up), or 1e-14 where
/// the measurement is at rounding level (≤ 1.2e-15).
/// </summary>
public sealed class QuadratureAccuracyTests
{
    /// <summary>(activation, q) → (bound on the F error, bound on the Ḟ error), measured values in the comments.</summary>
    private static readonly Dictionary<(ActivationKind, double), (double F, double FDot)> DefaultOrderBounds = new()
    {
        [(ActivationKind.Tanh, 0.1)] = (1e-14, 1e-14),        // measured 4.9e-16, 9.2e-16
        [(ActivationKind.Tanh, 1)] = (2e-8, 6e-7),            // 6.2e-9, 1.9e-7
        [(ActivationKind.Tanh, 10)] = (1.2e-2, 0.25),         // 3.7e-3, 8.0e-2
        [(ActivationKind.Tanh, 100)] = (0.2, 1.0),            // 6.1e-2, 0.88
        [(ActivationKind.Softplus, 0.1)] = (1e-14, 1e-14),    // 8.5e-16, 6.5e-16
        [(ActivationKind.Softplus, 1)] = (1e-14, 1e-14),      // 4.8e-16, 7.6e-16
        [(ActivationKind.Softplus, 10)] = (1.5e-7, 1e-5),     // 4.8e-8, 3.4e-6
        [(ActivationKind.Softplus, 100)] = (1.2e-3, 3.5e-2),  // 3.5e-4, 1.1e-2
        [(ActivationKind.Sigmoid, 0.1)] = (1e-14, 1e-14),     // 6.5e-16, 5.8e-16
        [(ActivationKind.Sigmoid, 1)] = (1e-14, 1e-14),       // 7.6e-16, 1.2e-15
        [(ActivationKind.Sigmoid, 10)] = (1e-5, 8e-4),        // 3.4e-6, 2.7e-4
        [(ActivationKind.Sigmoid, 100)] = (3.5e-2, 1.0),      // 1.1e-2, 0.42
        [(ActivationKind.Swish, 0.1)] = (1e-14, 1e-14),       // 2.6e-16, 7.1e-16
        [(ActivationKind.Swish, 1)] = (1e-14, 1e-14),         // 3.1e-16, 8.4e-16
        [(ActivationKind.Swish, 10)] = (7e-6, 3.5e-4),        // 2.4e-6, 1.1e-4
        [(ActivationKind.Swish, 100)] = (5e-3, 0.15),         // 1.7e-3, 4.9e-2
    };

    private static readonly double[] Correlations = [-0.999, -0.9, 0, 0.5, 0.9, 0.99, 0.999];

    public static TheoryData<string> Names => ["tanh", "softplus", "sigmoid", "swish"];

    private static Activation ByName(string name) => Architecture.Nngp.ActivationByName(name).Activation;

    private static (double F, double FDot) WorstError(Activation activation, double q, int order)
    {
        var view = Activations.BuiltInView(activation, QuadratureRules.Get(order));
        Func<double, double> phi = x => PointwiseActivation.Value(activation, x);
        Func<double, double> derivative = x => PointwiseActivation.Derivative(activation, x);
        double scaleF = GaussianExpectation.Expect(x => phi(x) * phi(x), q);
        double scaleFDot = GaussianExpectation.Expect(x => derivative(x) * derivative(x), q);
        double worstF = 0, worstFDot = 0;
        foreach (double c in Correlations)
        {
            DualMoments quadrature = Activations.Quadrature(view, c * q, q, q);
            double f = GaussianExpectation.Expect(phi, phi, c * q, q, q, 1e-13);
            double fDot = GaussianExpectation.Expect(derivative, derivative, c * q, q, q, 1e-13);
            worstF = Math.Max(worstF, Math.Abs(quadrature.F - f) / scaleF);
            worstFDot = Math.Max(worstFDot, Math.Abs(quadrature.FDot - fDot) / scaleFDot);
        }

        return (worstF, worstFDot);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void DefaultOrder_ErrorIsWithinTheMeasuredBound(string name)
    {
        Activation activation = ByName(name);
        foreach (double q in new[] { 0.1, 1, 10, 100 })
        {
            var (f, fDot) = WorstError(activation, q, QuadratureRules.DefaultOrder);
            var bound = DefaultOrderBounds[(activation.Kind, q)];
            string what = FormattableString.Invariant($"{name} at variance {q}, order {QuadratureRules.DefaultOrder}: F error {f:E2} (bound {bound.F:E1}), Ḟ error {fDot:E2} (bound {bound.FDot:E1})");
            Assert.True(f <= bound.F, what);
            Assert.True(fDot <= bound.FDot, what);
        }
    }

    /// <summary>
    /// Where a higher order does reach 1e-10 (measured in docs/mathematics.md): order 150 for every
    /// one of these activations up to variance 1, order 300 for softplus, sigmoid and swish up to
    /// variance 10. Asserted at 1e-10 (measured ≤ 1.1e-12 and ≤ 2.1e-11).
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void HigherOrders_ReachTenDigits_WhereMeasured(string name)
    {
        Activation activation = ByName(name);
        var (f, fDot) = WorstError(activation, 1, 150);
        Assert.True(f <= 1e-10 && fDot <= 1e-10, FormattableString.Invariant($"{name}, variance 1, order 150: F {f:E2}, Ḟ {fDot:E2}"));
        if (activation.Kind != ActivationKind.Tanh)
        {
            (f, fDot) = WorstError(activation, 10, 300);
            Assert.True(f <= 1e-10 && fDot <= 1e-10, FormattableString.Invariant($"{name}, variance 10, order 300: F {f:E2}, Ḟ {fDot:E2}"));
        }
    }

    /// <summary>
    /// E[φ(u)φ(v)] is symmetric in its two inputs, and so must the quadrature be, bit for bit (it
    /// integrates the smaller variance outside): otherwise an entry computed as (row, column) and its
    /// mirror computed as (column, row) differ by the rule's error, and K(X1, X2) is not the block of
    /// K([X1; X2]). Before the fix the two orders differed by up to 6e-4 of the scale here (tanh).
    /// </summary>
    [Fact]
    public void Quadrature_IsExactlySymmetricInItsTwoInputs()
    {
        foreach (var activation in new[] { Activation.Tanh, Activation.Softplus, Activation.Sigmoid, Activation.Swish })
        {
            var view = Activations.BuiltInView(activation, QuadratureRules.Get(QuadratureRules.DefaultOrder));
            foreach (var (k11, k22) in new[] { (0.3, 7.0), (1.0, 10.0), (2.0, 5.0), (0.1, 100.0) })
            {
                foreach (double c in new[] { -0.9, 0, 0.5, 0.99 })
                {
                    double k12 = c * Math.Sqrt(k11 * k22);
                    Assert.Equal(Activations.Quadrature(view, k12, k11, k22), Activations.Quadrature(view, k12, k22, k11));
                }
            }
        }
    }

    /// <summary>
    /// Why ClosedFormTests needs an adaptive reference at large variances: Gauss–Hermite of φ = erf
    /// at variance 100 is still off by more than 1e-3 of the scale at the maximum order. This
    /// documents a limitation (and fails if the quadrature ever becomes accurate there, which would
    /// be the moment to tighten the tables above).
    /// </summary>
    [Fact]
    public void GaussHermite_DoesNotResolveErfAtVariance100()
    {
        var view = Activations.CustomView(Activations.Erf, Activations.ErfDerivative, QuadratureRules.Get(GaussHermiteRule.MaxOrder));
        DualMoments closed = ClosedForms.Erf(99, 100, 100);
        DualMoments quadrature = Activations.Quadrature(view, 99, 100, 100);
        double scale = ClosedForms.Erf(100, 100, 100).F;
        Assert.True(Math.Abs(quadrature.F - closed.F) > 1e-3 * scale);
    }
}
