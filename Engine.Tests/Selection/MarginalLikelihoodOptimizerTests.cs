using GpuNngp.Experiments.Selection;
using GpuNngp.Kernels;
using Xunit;

namespace GpuNngp.Engine.Tests.Selection;

/// <summary>
/// The gradient of the log marginal likelihood against central differences of the engine's own
/// likelihood, its kernel against the engine's kernel, the optimum against a grid, and the refusals.
/// </summary>
public sealed class MarginalLikelihoodOptimizerTests
{
    public static TheoryData<string, int> Activations => new()
    {
        { "relu", 3 },
        { "leaky-relu", 2 },
        { "abs", 1 },
        { "erf", 2 },
        { "identity", 2 },
        { "relu", 0 },
    };

    [Theory]
    [MemberData(nameof(Activations))]
    public void HostKernel_MatchesTheEngine(string activation, int depth)
    {
        var (x, _) = RegressionData.Create(30, 4, 1, seed: 3);
        var layer = Nngp.ActivationByName(activation);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var expected = engine.Kernel(Nngp.FullyConnected(depth, layer, 1.7, 0.3), x, cancellationToken: TestContext.Current.CancellationToken);
        var (kernel, _, _) = KernelDerivatives.Compute(x, layer.Activation, depth, 1.7, 0.3);
        Backends.BackendContractTests.AssertClose(expected, kernel, 1e-12);
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void Gradient_MatchesCentralDifferencesOfTheEnginesLikelihood(string activation, int depth)
    {
        var (x, y) = RegressionData.Create(40, 3, 2, seed: 5);
        var layer = Nngp.ActivationByName(activation);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var point = new SearchPoint(depth, 1.3, 0.25, 0.02);
        double Likelihood(SearchPoint p)
        {
            using var posterior = engine.Fit(Nngp.FullyConnected(p.Depth, layer, p.WeightVariance, p.BiasVariance), x, y, new FitOptions { Noise = p.Noise }, TestContext.Current.CancellationToken);
            Assert.Equal(0, posterior.Jitter);
            return posterior.LogMarginalLikelihood;
        }

        var gradient = MarginalLikelihoodOptimizer.Gradient(x, y, layer, point);
        double value = Likelihood(point);
        Assert.Equal(value, gradient.LogMarginalLikelihood, 1e-10 * Math.Abs(value));

        double Central(Func<double, SearchPoint> at, double parameter)
        {
            double h = 1e-4 * parameter;
            return (Likelihood(at(parameter + h)) - Likelihood(at(parameter - h))) / (2 * h);
        }

        AssertRelative(Central(v => point with { WeightVariance = v }, point.WeightVariance), gradient.ByWeightVariance);
        AssertRelative(Central(v => point with { BiasVariance = v }, point.BiasVariance), gradient.ByBiasVariance);
        AssertRelative(Central(v => point with { Noise = v }, point.Noise), gradient.ByNoise);
    }

    [Fact]
    public void Optimum_IsAtLeastTheGridsBest_AndCloseToIt()
    {
        var (x, y) = RegressionData.Create(60, 3, 1, seed: 11);
        var layer = Nngp.Relu();
        double[] weights = Linspace(0.5, 4, 12), biases = Linspace(0, 1, 9), noises = [0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128];
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var grid = new SearchGrid(weights, biases, [2], noises);
        var results = new HyperparameterSearch(engine, layer).RunByLikelihood(x, y, grid, cancellationToken: TestContext.Current.CancellationToken);
        var best = HyperparameterSearch.BestByLikelihood(results)!;

        var optimum = MarginalLikelihoodOptimizer.Maximize(
            x, y, layer, best.Point, ParameterRange.Of(weights), ParameterRange.Of(biases), ParameterRange.Of(noises));

        // The engine's own likelihood at the optimum, not the optimiser's.
        using var posterior = engine.Fit(Nngp.FullyConnected(2, layer, optimum.Point.WeightVariance, optimum.Point.BiasVariance), x, y, new FitOptions { Noise = optimum.Point.Noise }, TestContext.Current.CancellationToken);
        Assert.Equal(posterior.LogMarginalLikelihood, optimum.LogMarginalLikelihood, 1e-9 * Math.Abs(optimum.LogMarginalLikelihood));
        Assert.True(posterior.LogMarginalLikelihood >= best.LogMarginalLikelihood - 1e-9,
            $"optimum {posterior.LogMarginalLikelihood} below the grid's best {best.LogMarginalLikelihood} ({optimum.Stopped})");
        Assert.True(posterior.LogMarginalLikelihood - best.LogMarginalLikelihood < 0.02 * Math.Abs(best.LogMarginalLikelihood),
            $"optimum {posterior.LogMarginalLikelihood} far above the grid's best {best.LogMarginalLikelihood}: the grid or the optimiser is wrong");

        // Within two grid steps of the grid's best point on each axis (the noise grid is geometric).
        Assert.InRange(optimum.Point.WeightVariance, best.Point.WeightVariance - 2 * (weights[1] - weights[0]), best.Point.WeightVariance + 2 * (weights[1] - weights[0]));
        Assert.InRange(optimum.Point.BiasVariance, best.Point.BiasVariance - 2 * (biases[1] - biases[0]), best.Point.BiasVariance + 2 * (biases[1] - biases[0]));
        Assert.InRange(optimum.Point.Noise, best.Point.Noise / 4, best.Point.Noise * 4);
    }

    [Fact]
    public void Optimum_KeepsAFixedRangeWhereItIs()
    {
        var (x, y) = RegressionData.Create(40, 3, 1, seed: 12);
        var start = new SearchPoint(1, 1.5, 0.2, 0.01);
        var optimum = MarginalLikelihoodOptimizer.Maximize(
            x, y, Nngp.Erf(), start, new ParameterRange(0.1, 5), new ParameterRange(0.2, 0.2), new ParameterRange(0.01, 0.01));
        Assert.Equal(0.2, optimum.Point.BiasVariance);
        Assert.Equal(0.01, optimum.Point.Noise);
        Assert.True(optimum.LogMarginalLikelihood >= optimum.StartLogMarginalLikelihood);
    }

    [Theory]
    [InlineData("tanh")]
    [InlineData("gelu")]
    [InlineData("softplus")]
    public void ActivationsWithoutClosedFormDerivatives_AreRefusedInOneLine(string activation)
    {
        var (x, y) = RegressionData.Create(10, 3, 1, seed: 1);
        var layer = Nngp.ActivationByName(activation);
        var e = Assert.Throws<NngpInputException>(() => MarginalLikelihoodOptimizer.Gradient(x, y, layer, new SearchPoint(1, 1, 0.1, 0.01)));
        Assert.Contains("no closed-form derivatives", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<NngpInputException>(() => MarginalLikelihoodOptimizer.Maximize(
            x, y, layer, new SearchPoint(1, 1, 0.1, 0.01), new ParameterRange(0.5, 2), new ParameterRange(0, 1), new ParameterRange(0.01, 0.1)));
        Assert.Throws<NngpInputException>(() => MarginalLikelihoodOptimizer.CheckActivation(Nngp.Custom("square", v => v * v)));
    }

    [Fact]
    public void ARangeThatCannotBeOptimised_IsRefused()
    {
        var (x, y) = RegressionData.Create(10, 3, 1, seed: 1);
        var start = new SearchPoint(1, 1, 0.1, 0.01);
        var e = Assert.Throws<NngpInputException>(() => MarginalLikelihoodOptimizer.Maximize(
            x, y, Nngp.Relu(), start, new ParameterRange(0, 2), new ParameterRange(0, 1), new ParameterRange(0.01, 0.1)));
        Assert.Contains("σw²", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<NngpInputException>(() => MarginalLikelihoodOptimizer.Maximize(
            x, y, Nngp.Relu(), start, new ParameterRange(1.5, 2), new ParameterRange(0, 1), new ParameterRange(0.01, 0.1)));
        Assert.Contains("outside its range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Partials_MatchCentralDifferencesOfTheClosedForms()
    {
        foreach (var activation in new[] { Activation.Relu, Activation.LeakyRelu(0.2), Activation.Abs, Activation.Erf, Activation.Identity })
        {
            foreach (var (k12, k11, k22) in new[] { (0.3, 1.1, 0.8), (-0.5, 0.9, 1.7), (1.2, 2.0, 1.5) })
            {
                var p = DualPartials.Evaluate(activation, k12, k11, k22);
                double F(double a, double b, double c) => DualPartials.Evaluate(activation, a, b, c).F;
                const double h = 1e-6;
                AssertRelative((F(k12 + h, k11, k22) - F(k12 - h, k11, k22)) / (2 * h), p.ByCovariance);
                AssertRelative((F(k12, k11 + h, k22) - F(k12, k11 - h, k22)) / (2 * h), p.ByRowVariance);
                AssertRelative((F(k12, k11, k22 + h) - F(k12, k11, k22 - h)) / (2 * h), p.ByColumnVariance);
            }
        }
    }

    private static void AssertRelative(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Max(Math.Abs(expected), 1e-3),
            $"analytic {actual:R} against central difference {expected:R}");

    private static double[] Linspace(double start, double stop, int count) =>
        [.. Enumerable.Range(0, count).Select(i => start + (stop - start) * i / (count - 1))];
}
