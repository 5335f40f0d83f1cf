using GpuNngp.Experiments.Selection;
using Xunit;

namespace GpuNngp.Engine.Tests.Selection;

/// <summary>The fixed point q*, χ₁ and the order-to-chaos boundary χ₁ = 1.</summary>
public sealed class SignalPropagationTests
{
    private static readonly double[] BiasVariances = [0.05, 0.1, 0.28, 0.62, 1.0, 1.5, 2.0];

    public static TheoryData<string> Activations => ["tanh", "erf", "relu", "sigmoid"];

    [Theory]
    [MemberData(nameof(Activations))]
    public void OnTheComputedBoundary_ChiIsOne(string activation)
    {
        var propagation = SignalPropagation.For(activation);
        foreach (var point in propagation.Boundary(BiasVariances))
        {
            Assert.True(point.Found, $"{activation}, σb² = {point.BiasVariance}: {point.Note}");

            // Recomputed from scratch at the returned σw², not taken from the solver.
            var check = propagation.Analyse(point.WeightVariance, point.BiasVariance);
            Assert.True(Math.Abs(check.Chi - 1) <= 1e-6, $"{activation}, σb² = {point.BiasVariance}: χ₁ = {check.Chi:R} at σw² = {point.WeightVariance:R}");
            if (!propagation.IsHomogeneous)
            {
                Assert.True(check.FixedPoint.Converged, $"{activation}, σb² = {point.BiasVariance}: q* did not converge");
                Assert.Equal(check.FixedPoint.Variance, propagation.VarianceMap(check.FixedPoint.Variance, point.WeightVariance, point.BiasVariance), 1e-12);
            }
        }
    }

    [Fact]
    public void ReluBoundary_IsTheLineWeightVarianceTwo()
    {
        var propagation = SignalPropagation.For("relu");
        foreach (var point in propagation.Boundary([0, .. BiasVariances]))
        {
            Assert.True(point.Found, point.Note);
            Assert.Equal(2.0, point.WeightVariance, 1e-12);
        }

        Assert.Equal(0.5 * 1.45, propagation.Analyse(1.45, 0.28).Chi, 15);
    }

    [Fact]
    public void ReluFixedPoint_HasItsClosedForm_AndNoneInTheChaoticPhase()
    {
        var propagation = SignalPropagation.For("relu");
        var ordered = propagation.FixedPoint(1.45, 0.28);
        Assert.True(ordered.Converged);
        Assert.Equal(0.28 / (1 - 1.45 / 2), ordered.Variance, 14);

        var chaotic = propagation.FixedPoint(2.5, 0.28);
        Assert.False(chaotic.Converged);
        Assert.True(double.IsPositiveInfinity(chaotic.Variance));
        Assert.Equal(1.25, propagation.Analyse(2.5, 0.28).Chi, 15);
    }

    [Fact]
    public void ErfMoments_MatchTheirClosedForms()
    {
        // E[erf(u)²] = (2/π)·arcsin(2q/(1+2q)), E[erf'(u)²] = (4/π)/√(1+4q).
        var propagation = SignalPropagation.For("erf");
        foreach (double q in new[] { 0.01, 0.5, 3.0 })
        {
            var (value, derivative) = propagation.Moments(q);
            Assert.Equal(2 / Math.PI * Math.Asin(2 * q / (1 + 2 * q)), value, 14);
            Assert.Equal(4 / Math.PI / Math.Sqrt(1 + 4 * q), derivative, 14);
        }
    }

    [Fact]
    public void TanhFixedPoint_IsAFixedPoint_AndTheMomentsAreAccurate()
    {
        var propagation = SignalPropagation.For("tanh");
        var result = propagation.FixedPoint(1.96, 0.62);
        Assert.True(result.Converged);
        Assert.Equal(result.Variance, propagation.VarianceMap(result.Variance, 1.96, 0.62), 13);

        // E[tanh(u)²] for u ~ N(0, q), from an independent fine trapezoid sum (h = 5e-4 on |z| ≤ 40).
        Assert.Equal(0.39429449039783737, propagation.Moments(1).Value, 13);
        Assert.Equal(0.6684448850201008, propagation.Moments(5).Value, 13);
        Assert.Equal(0.9205368634305029, propagation.Moments(100).Value, 13);
    }

    [Fact]
    public void NumericMoments_MatchClosedForms_ForErfAndGelu()
    {
        // The numeric path, run on activations whose moments are known exactly.
        var erf = SignalPropagation.For(Nngp.Custom("erf", MathNet.Numerics.SpecialFunctions.Erf, x => 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x)));
        var gelu = SignalPropagation.For(Nngp.Custom(
            "gelu", x => x * MathNet.Numerics.Distributions.Normal.CDF(0, 1, x), x => MathNet.Numerics.Distributions.Normal.CDF(0, 1, x) + x * MathNet.Numerics.Distributions.Normal.PDF(0, 1, x)));
        foreach (double q in new[] { 0.01, 0.7, 4.0, 50.0 })
        {
            var (value, derivative) = erf.Moments(q);
            Assert.Equal(2 / Math.PI * Math.Asin(2 * q / (1 + 2 * q)), value, 13);
            Assert.Equal(4 / Math.PI / Math.Sqrt(1 + 4 * q), derivative, 13);
            var closed = SignalPropagation.For("gelu").Moments(q);
            var numeric = gelu.Moments(q);
            Assert.Equal(closed.Value, numeric.Value, 1e-12 * Math.Max(1, q));
            Assert.Equal(closed.Derivative, numeric.Derivative, 1e-12);
        }
    }

    [Fact]
    public void TanhBoundary_StartsAtWeightVarianceOne_AndRisesWithTheBias()
    {
        // At σb² = 0, q* = 0 and χ₁ = σw²·tanh'(0)² = σw²: the boundary starts at σw² = 1.
        var propagation = SignalPropagation.For("tanh");
        var origin = propagation.CriticalWeightVariance(0);
        Assert.Equal(1.0, origin.WeightVariance, 1e-6);
        Assert.True(origin.Found, origin.Note);
        Assert.Equal(1.0, origin.WeightVariance, 1e-4);

        var boundary = propagation.Boundary(BiasVariances);
        for (int i = 1; i < boundary.Count; i++)
        {
            Assert.True(boundary[i].WeightVariance > boundary[i - 1].WeightVariance);
        }

        // The paper's tanh setting GP-20-1.96-0.62 lies on the ordered side; σw² = 4 at σb² = 0.62 is chaotic.
        Assert.True(propagation.Analyse(1.96, 0.62).Chi < 1);
        Assert.True(propagation.Analyse(4.0, 0.62).Chi > 1);
    }

    [Fact]
    public void ReluLikeActivations_ReportEitherTheBoundaryOrThatQDivergesFirst()
    {
        // GELU, swish and softplus grow like ReLU: their length map can diverge from q = 1 before χ₁ reaches 1
        // (softplus: χ₁ → 1 only as q* → ∞ at σw² → 2). The search says so instead of failing; every
        // boundary point it does report has χ₁ = 1.
        foreach (var point in SignalPropagation.For("gelu").Boundary(BiasVariances).Concat(SignalPropagation.For("softplus").Boundary([0.0, 1.0])).Concat(SignalPropagation.For("swish").Boundary([0.05, 1.0])))
        {
            if (point.Found)
            {
                Assert.Equal(1.0, point.Chi, 1e-6);
            }
            else
            {
                Assert.Contains("diverges", point.Note, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void CustomActivation_NeedsItsDerivative_AndMatchesTheBuiltIn()
    {
        Assert.Throws<NngpInputException>(() => SignalPropagation.For(Nngp.Custom("mine", Math.Tanh)));
        var custom = SignalPropagation.For(Nngp.Custom("mine", Math.Tanh, x => 1 - Math.Tanh(x) * Math.Tanh(x)));
        var builtIn = SignalPropagation.For("tanh");
        Assert.Equal(builtIn.CriticalWeightVariance(0.5).WeightVariance, custom.CriticalWeightVariance(0.5).WeightVariance, 1e-10);
    }

    [Fact]
    public void NonConvergence_IsReported()
    {
        var limited = SignalPropagation.For("tanh").WithIteration(3);
        var result = limited.FixedPoint(1.96, 0.62);
        Assert.False(result.Converged);
        Assert.Equal(3, result.Iterations);

        var point = limited.CriticalWeightVariance(0.62);
        Assert.True(point.Found);
        Assert.Contains("did not converge", point.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void ChiGrid_IsIndexedBiasThenWeight()
    {
        var propagation = SignalPropagation.For("erf");
        double[] weights = [0.5, 1.0, 2.0];
        double[] biases = [0.0, 1.0];
        var grid = propagation.ChiGrid(weights, biases);
        Assert.Equal(2, grid.GetLength(0));
        Assert.Equal(3, grid.GetLength(1));
        Assert.Equal(propagation.Analyse(2.0, 1.0).Chi, grid[1, 2]);
        Assert.Equal(propagation.Analyse(0.5, 0.0).Chi, grid[0, 0]);
    }

    [Fact]
    public void BadInputs_AreInputErrors()
    {
        var propagation = SignalPropagation.For("tanh");
        Assert.Throws<NngpInputException>(() => propagation.FixedPoint(-1, 0));
        Assert.Throws<NngpInputException>(() => propagation.CriticalWeightVariance(double.NaN));
        Assert.Throws<NngpInputException>(() => SignalPropagation.For("nonsense"));
    }

    [Fact]
    public void Brent_FindsARootToTheTolerance()
    {
        double root = SignalPropagation.Brent(x => x * x * x - 2, 0, 2, -2, 6, 1e-15);
        Assert.Equal(Math.Cbrt(2), root, 14);
    }
}
