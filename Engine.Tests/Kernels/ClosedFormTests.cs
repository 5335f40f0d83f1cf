using GpuNngp.Kernels;
using Xunit;

namespace GpuNngp.Engine.Tests.Kernels;

/// <summary>
/// The closed-form dual kernels F = E[φ(u)φ(v)] and Ḟ = E[φ′(u)φ′(v)] against integration.
/// Errors are measured against the Cauchy–Schwarz scale of the entry, √(F(k11,k11,k11)·F(k22,k22,k22))
/// (and likewise for Ḟ), which is what a kernel entry's accuracy means and stays meaningful where F
/// itself crosses zero (erf at c = 0).
/// </summary>
public sealed class ClosedFormTests
{
    internal sealed record Case(
        string Name,
        Func<double, double, double, DualMoments> Closed,
        Func<double, double> Phi,
        Func<double, double> Derivative);

    private static readonly Case[] Cases =
    [
        new("erf", ClosedForms.Erf, Activations.Erf, Activations.ErfDerivative),
        new("gelu", ClosedForms.Gelu, Activations.Gelu, Activations.GeluDerivative),
        new("identity", (k12, _, _) => ClosedForms.Identity(k12), x => x, _ => 1),
        new("relu", (k12, k11, k22) => ClosedForms.AbRelu(0, 1, k12, k11, k22), Activations.AbRelu(0, 1), Activations.AbReluDerivative(0, 1)),
        new("leaky-relu-0.1", (k12, k11, k22) => ClosedForms.AbRelu(0.1, 1, k12, k11, k22), Activations.AbRelu(0.1, 1), Activations.AbReluDerivative(0.1, 1)),
        new("abs", (k12, k11, k22) => ClosedForms.AbRelu(-1, 1, k12, k11, k22), Activations.AbRelu(-1, 1), Activations.AbReluDerivative(-1, 1)),
        new("abrelu(-0.5,2)", (k12, k11, k22) => ClosedForms.AbRelu(-0.5, 2, k12, k11, k22), Activations.AbRelu(-0.5, 2), Activations.AbReluDerivative(-0.5, 2)),
    ];

    /// <summary>Variance pairs from 0.1 to 100, with ratios up to 10⁴.</summary>
    private static readonly (double K11, double K22)[] Variances =
        [(0.1, 0.1), (1, 1), (0.5, 2), (10, 10), (3, 30), (100, 100), (1, 100), (0.01, 100)];

    private static readonly double[] Correlations = [-0.999, -0.99, -0.5, 0, 0.3, 0.9, 0.99, 0.999];

    public static TheoryData<string> CaseNames => new(Cases.Select(c => c.Name));

    public static TheoryData<string> SmoothCaseNames => ["erf", "gelu", "identity"];

    public static TheoryData<string> KinkCaseNames => ["relu", "leaky-relu-0.1", "abs", "abrelu(-0.5,2)"];

    private static Case Find(string name) => Cases.Single(c => c.Name == name);

    private static (double F, double FDot) Scale(Case c, double k11, double k22)
    {
        DualMoments a = c.Closed(k11, k11, k11);
        DualMoments b = c.Closed(k22, k22, k22);
        return (Math.Sqrt(a.F * b.F), Math.Sqrt(a.FDot * b.FDot));
    }

    /// <summary>
    /// Against adaptive Gauss–Kronrod in (u, v) (GaussianExpectation), which is independent of the
    /// engine's Gauss–Hermite rule and accurate at any variance. Measured: every closed form within
    /// 2.1e-15 of the reference on this grid (c up to ±0.999, variances 0.01–100), so 1e-12 is a
    /// bound with a margin of 500 for the reference's own tolerance, yet a thousand times below any
    /// plausible slip in a formula.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ClosedForm_MatchesAdaptiveTwoDimensionalIntegration(string name)
    {
        Case c = Find(name);
        foreach (var (k11, k22) in Variances)
        {
            var (scaleF, scaleFDot) = Scale(c, k11, k22);
            foreach (double correlation in Correlations)
            {
                double k12 = correlation * Math.Sqrt(k11 * k22);
                DualMoments closed = c.Closed(k12, k11, k22);
                double f = GaussianExpectation.Expect(c.Phi, c.Phi, k12, k11, k22, 1e-12);
                double fDot = GaussianExpectation.Expect(c.Derivative, c.Derivative, k12, k11, k22, 1e-12);
                string where = FormattableString.Invariant($"{name} k11={k11} k22={k22} c={correlation}");
                Assert.True(Math.Abs(closed.F - f) <= 1e-12 * scaleF, $"{where}: F {closed.F:R} vs integral {f:R}");
                Assert.True(Math.Abs(closed.FDot - fDot) <= 1e-12 * scaleFDot, $"{where}: Ḟ {closed.FDot:R} vs integral {fDot:R}");
            }
        }
    }

    /// <summary>
    /// Against the engine's own 2-D Gauss–Hermite quadrature, driving φ = erf and φ = x·Φ(x) through
    /// custom delegates (ActivationKind.Custom), order 200. Gauss–Hermite in z resolves φ(√k·z) only
    /// while its features are wide in z, i.e. for moderate variances (at variance 100 erf is still
    /// 3e-3 off at order 300 — see QuadratureAccuracyTests); here, variances ≤ 2, it agrees with the
    /// closed forms to 3e-15 (measured), asserted at 1e-12.
    /// </summary>
    [Theory]
    [MemberData(nameof(SmoothCaseNames))]
    public void SmoothClosedForm_MatchesGaussHermiteQuadratureOfCustomDelegates(string name)
    {
        Case c = Find(name);
        var view = Activations.CustomView(c.Phi, c.Derivative, QuadratureRule.GaussHermite(200));
        foreach (var (k11, k22) in new[] { (0.1, 0.1), (1.0, 1.0), (0.5, 2.0), (2.0, 2.0), (0.05, 1.5) })
        {
            var (scaleF, scaleFDot) = Scale(c, k11, k22);
            foreach (double correlation in new[] { -0.99, -0.7, -0.2, 0, 0.4, 0.8, 0.99 })
            {
                double k12 = correlation * Math.Sqrt(k11 * k22);
                DualMoments closed = c.Closed(k12, k11, k22);
                DualMoments quadrature = Activations.Quadrature(view, k12, k11, k22);
                string where = FormattableString.Invariant($"{name} k11={k11} k22={k22} c={correlation}");
                Assert.True(Math.Abs(closed.F - quadrature.F) <= 1e-12 * scaleF, $"{where}: F {closed.F:R} vs {quadrature.F:R}");
                Assert.True(Math.Abs(closed.FDot - quadrature.FDot) <= 1e-12 * scaleFDot, $"{where}: Ḟ {closed.FDot:R} vs {quadrature.FDot:R}");
            }
        }
    }

    /// <summary>
    /// Price's theorem: ∂F/∂k12 = E[φ′(u)φ′(v)] = Ḟ, so each Ḟ must be the derivative of its F.
    /// Fourth-order central differences with h = 3e-3·√(k11k22)·(1 − |c|) (kept inside |c| &lt; 1):
    /// measured error ≤ 9e-12 of the Ḟ scale on this grid (rounding, ε·F/h, dominates the h⁴ term);
    /// asserted at 1e-9.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public void FDot_IsTheDerivativeOfF_PricesTheorem(string name)
    {
        Case c = Find(name);
        foreach (var (k11, k22) in Variances)
        {
            var (_, scaleFDot) = Scale(c, k11, k22);
            foreach (double correlation in new[] { -0.99, -0.9, -0.5, 0, 0.3, 0.9, 0.99 })
            {
                double norm = Math.Sqrt(k11 * k22);
                double k12 = correlation * norm;
                double h = 3e-3 * norm * (1 - Math.Abs(correlation));
                double F(double x) => c.Closed(x, k11, k22).F;
                double derivative = (-F(k12 + 2 * h) + 8 * F(k12 + h) - 8 * F(k12 - h) + F(k12 - 2 * h)) / (12 * h);
                double fDot = c.Closed(k12, k11, k22).FDot;
                Assert.True(
                    Math.Abs(derivative - fDot) <= 1e-9 * scaleFDot,
                    FormattableString.Invariant($"{name} k11={k11} k22={k22} c={correlation}: dF/dk12 {derivative:R} vs Ḟ {fDot:R}"));
            }
        }
    }

    /// <summary>
    /// Price's theorem for the quadrature activations too: the engine's φ′ (PointwiseActivation)
    /// must be the derivative of its φ. At variances ≤ 1 the order-128 rule is converged to 1e-11
    /// (QuadratureAccuracyTests), so the quadrature Ḟ and the difference quotient of the quadrature F
    /// agree to that plus the stencil's 1e-11; asserted at 1e-8.
    /// </summary>
    [Fact]
    public void QuadratureFDot_IsTheDerivativeOfQuadratureF()
    {
        var rule = QuadratureRule.GaussHermite(128);
        foreach (var activation in new[] { Activation.Tanh, Activation.Softplus, Activation.Sigmoid, Activation.Swish })
        {
            var view = Activations.BuiltInView(activation, rule);
            foreach (var (k11, k22) in new[] { (0.3, 0.3), (1.0, 1.0), (0.2, 0.9) })
            {
                double norm = Math.Sqrt(k11 * k22);
                double scale = Math.Sqrt(Activations.Quadrature(view, k11, k11, k11).FDot * Activations.Quadrature(view, k22, k22, k22).FDot);
                foreach (double correlation in new[] { -0.9, -0.3, 0, 0.5, 0.9 })
                {
                    double k12 = correlation * norm;
                    double h = 3e-3 * norm * (1 - Math.Abs(correlation));
                    double F(double x) => Activations.Quadrature(view, x, k11, k22).F;
                    double derivative = (-F(k12 + 2 * h) + 8 * F(k12 + h) - 8 * F(k12 - h) + F(k12 - 2 * h)) / (12 * h);
                    double fDot = Activations.Quadrature(view, k12, k11, k22).FDot;
                    Assert.True(
                        Math.Abs(derivative - fDot) <= 1e-8 * scale,
                        FormattableString.Invariant($"{activation.Kind} k11={k11} k22={k22} c={correlation}: dF/dk12 {derivative:R} vs Ḟ {fDot:R}"));
                }
            }
        }
    }

    /// <summary>
    /// ReLU-like φ against the engine's Gauss–Hermite quadrature of the same φ. The kink at 0 makes
    /// quadrature converge only algebraically. Measured (worst over c ∈ [−0.99, 0.99], relative to
    /// the entry's scale; independent of the variances because these φ are positively homogeneous):
    /// <code>
    ///   order          25      50      100     150     200     250     300
    ///   ReLU  F     2.1e-2  5.3e-3  2.6e-3  1.8e-3  1.3e-3  1.0e-3  8.7e-4    (≈ 0.26/n)
    ///         Ḟ     2.8e-1  3.2e-2  1.9e-2  1.4e-2  1.1e-2  9.3e-3  8.1e-3    (≈ n^-0.8)
    ///   Abs   F     4.1e-2  1.1e-2  5.3e-3  3.5e-3  2.6e-3  2.1e-3  1.7e-3
    ///         Ḟ     2.2e-1  6.5e-2  3.8e-2  2.8e-2  2.2e-2  1.9e-2  1.6e-2
    /// </code>
    /// (LeakyReLU(0.1) and AbReLU(−0.5, 2) lie in between.) So at order 300 the honest tolerances
    /// are 3e-3 for F and 2.5e-2 for Ḟ (the worst measured, Abs, times 1.6); and, so that the test
    /// shows convergence to the closed form rather than mere closeness, the error must fall by at
    /// least 2× (F) and 1.8× (Ḟ) from order 100 to 300 (measured 3.0× and 2.35×).
    /// </summary>
    [Theory]
    [MemberData(nameof(KinkCaseNames))]
    public void KinkClosedForm_MatchesHighOrderQuadrature_WithMeasuredAlgebraicConvergence(string name)
    {
        Case c = Find(name);
        var coarse = Activations.CustomView(c.Phi, c.Derivative, QuadratureRule.GaussHermite(100));
        var fine = Activations.CustomView(c.Phi, c.Derivative, QuadratureRule.GaussHermite(300));
        double coarseF = 0, coarseFDot = 0, fineF = 0, fineFDot = 0;
        foreach (var (k11, k22) in new[] { (1.0, 1.0), (0.3, 7.0), (100.0, 100.0) })
        {
            var (scaleF, scaleFDot) = Scale(c, k11, k22);
            foreach (double correlation in new[] { -0.99, -0.9, -0.5, 0, 0.3, 0.5, 0.9, 0.99 })
            {
                double k12 = correlation * Math.Sqrt(k11 * k22);
                DualMoments closed = c.Closed(k12, k11, k22);
                DualMoments q100 = Activations.Quadrature(coarse, k12, k11, k22);
                DualMoments q300 = Activations.Quadrature(fine, k12, k11, k22);
                coarseF = Math.Max(coarseF, Math.Abs(q100.F - closed.F) / scaleF);
                coarseFDot = Math.Max(coarseFDot, Math.Abs(q100.FDot - closed.FDot) / scaleFDot);
                fineF = Math.Max(fineF, Math.Abs(q300.F - closed.F) / scaleF);
                fineFDot = Math.Max(fineFDot, Math.Abs(q300.FDot - closed.FDot) / scaleFDot);
            }
        }

        string errors = FormattableString.Invariant($"{name}: order 100 F {coarseF:E2} Ḟ {coarseFDot:E2}; order 300 F {fineF:E2} Ḟ {fineFDot:E2}");
        Assert.True(fineF <= 3e-3, errors);
        Assert.True(fineFDot <= 2.5e-2, errors);
        Assert.True(fineF <= coarseF / 2, errors);
        Assert.True(fineFDot <= coarseFDot / 1.8, errors);
    }

    [Fact]
    public void Relu_ExactValues()
    {
        foreach (double q in new[] { 1e-8, 0.1, 1, 2.5, 1e3, 1e8 })
        {
            DualMoments diagonal = ClosedForms.AbRelu(0, 1, q, q, q);
            Assert.Equal(q / 2, diagonal.F);
            Assert.Equal(0.5, diagonal.FDot);

            // c = −1: u = −v, so φ(u)φ(v) = 0 and φ′(u)φ′(v) = 0 almost surely.
            DualMoments opposite = ClosedForms.AbRelu(0, 1, -q, q, q);
            Assert.True(Math.Abs(opposite.F) <= 1e-16 * q);
            Assert.True(Math.Abs(opposite.FDot) <= 1e-16);
        }

        // c = 0: independent, F = E[relu(u)]·E[relu(v)] = √(k11k22)/(2π), Ḟ = 1/4.
        foreach (var (k11, k22) in new[] { (1.0, 1.0), (2.0, 2.0), (0.3, 7.0), (100.0, 0.01) })
        {
            DualMoments independent = ClosedForms.AbRelu(0, 1, 0, k11, k22);
            double expected = Math.Sqrt(k11 * k22) / (2 * Math.PI);
            Assert.True(ScalarMathTests.UlpDistance(independent.F, expected) <= 2, FormattableString.Invariant($"{independent.F:R} vs {expected:R}"));
            Assert.True(ScalarMathTests.UlpDistance(independent.FDot, 0.25) <= 2);
        }
    }

    [Fact]
    public void AbsAndLeakyRelu_ExactDiagonals()
    {
        foreach (double q in new[] { 1e-6, 0.7, 3, 1e5 })
        {
            DualMoments abs = ClosedForms.AbRelu(-1, 1, q, q, q);
            Assert.Equal(q, abs.F);
            Assert.Equal(1.0, abs.FDot);

            // φ = a·min(x,0) + b·max(x,0): E[φ(u)²] = (a² + b²)/2·q, E[φ′(u)²] = (a² + b²)/2.
            foreach (var (a, b) in new[] { (0.1, 1.0), (-0.5, 2.0), (0.3, 0.3) })
            {
                DualMoments diagonal = ClosedForms.AbRelu(a, b, q, q, q);
                double half = (a * a + b * b) / 2;
                Assert.True(Math.Abs(diagonal.F - half * q) <= 4e-16 * half * q);
                Assert.True(Math.Abs(diagonal.FDot - half) <= 4e-16 * half);
            }
        }

        // a = b: a linear φ, so F = a²·k12 and Ḟ = a² at every correlation.
        DualMoments linear = ClosedForms.AbRelu(0.3, 0.3, -0.2, 0.5, 0.9);
        Assert.True(Math.Abs(linear.F - 0.09 * -0.2) <= 4e-16 * 0.018);
        Assert.True(Math.Abs(linear.FDot - 0.09) <= 4e-16 * 0.09);
    }

    [Fact]
    public void ErfAndGelu_ExactValues()
    {
        foreach (var (k11, k22) in new[] { (1.0, 1.0), (0.3, 7.0), (100.0, 0.01) })
        {
            // Independent inputs: erf is odd, so F = 0; Ḟ = E[erf′(u)]E[erf′(v)] = (2/π)/√((1+2k11)(1+2k22)).
            DualMoments erf = ClosedForms.Erf(0, k11, k22);
            Assert.Equal(0.0, erf.F);
            double erfFDot = 4 / Math.PI / Math.Sqrt((1 + 2 * k11) * (1 + 2 * k22));
            Assert.True(Math.Abs(erf.FDot - erfFDot) <= 1e-15 * erfFDot);

            // GELU: E[uΦ(u)] = k11·E[φ_N(u)] = k11/√(2π(1+k11)), so F(0) is the product; Ḟ(0) = E[Φ + uφ_N]² = 1/4.
            DualMoments gelu = ClosedForms.Gelu(0, k11, k22);
            double geluF = k11 / Math.Sqrt(2 * Math.PI * (1 + k11)) * k22 / Math.Sqrt(2 * Math.PI * (1 + k22));
            Assert.True(Math.Abs(gelu.F - geluF) <= 1e-15 * geluF);
            Assert.True(Math.Abs(gelu.FDot - 0.25) <= 1e-16);
        }

        // erf diagonal: F(q,q,q) = (2/π)·arcsin(2q/(1+2q)).
        foreach (double q in new[] { 0.01, 1, 50 })
        {
            double expected = 2 / Math.PI * Math.Asin(2 * q / (1 + 2 * q));
            Assert.True(Math.Abs(ClosedForms.Erf(q, q, q).F - expected) <= 4e-16 * expected);
        }

        // Identity: F = k12, Ḟ = 1 exactly.
        Assert.Equal(new DualMoments(-0.37, 1), ClosedForms.Identity(-0.37));
    }
}
