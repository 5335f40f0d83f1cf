using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Kernels;

/// <summary>
/// The defining property: the analytic NNGP kernel is the covariance of the outputs of random
/// networks as the width grows, and the NTK is the limit of their empirical tangent kernels.
/// 40 random networks of width 1000, two hidden layers plus a dense readout, explicit Gaussian
/// weight matrices (RandomNetworkSampler), 4 inputs in d = 5 with different norms and angles.
/// <para>
/// Tolerance per entry: 5 Monte Carlo standard errors (from the spread over the 40 networks) plus
/// 2/width of the entry's scale √(K(x,x)K(x′,x′)) for the finite-width bias. The bias was measured
/// at width 100 with 4000 networks: at most 0.8 % of the scale for ReLU, 0.3 % for erf and tanh,
/// i.e. below 0.8/width; 2/width allows 2.5× that. Measured at width 1000 with this seed: every
/// entry within 2.2 standard errors; standard errors 0.3–1.8 % of the scale. The same samples must
/// reject two nearby wrong kernels (one hidden layer fewer; σw² 10 % larger), so the tolerance is
/// tight enough to mean something.
/// </para>
/// </summary>
public sealed class RandomNetworkLimitTests
{
    private const int Width = 1000;
    private const int Networks = 40;
    private const int Depth = 2;

    internal static readonly Matrix<double> Inputs = Matrix<double>.Build.DenseOfArray(new double[,]
    {
        { 1.0, 0.5, -0.3, 0.8, -1.2 },  // ‖x‖²/d = 0.68
        { 0.9, 0.6, -0.1, 0.7, -1.0 },  // nearly parallel to the first, shorter
        { -0.4, 1.5, 0.9, -0.2, 0.3 },  // nearly orthogonal to the first
        { 2.1, -1.7, 0.4, 1.9, 0.6 },   // ‖x‖²/d = 2.3
    });

    public static TheoryData<string> ActivationNames => ["relu", "erf", "tanh"];

    private static (ActivationLayer Layer, Func<double, double> Phi, Func<double, double> Derivative, double WeightVariance, double BiasVariance, int Seed) Setting(string name) =>
        name switch
        {
            "relu" => (Nngp.Relu(), Activations.AbRelu(0, 1), Activations.AbReluDerivative(0, 1), 2.0, 0.1, 11),
            "erf" => (Nngp.Erf(), Activations.Erf, Activations.ErfDerivative, 1.5, 0.2, 12),
            "tanh" => (Nngp.Tanh(), Math.Tanh, x => 1 / (Math.Cosh(x) * Math.Cosh(x)), 1.8, 0.3, 13),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void AnalyticKernels_AreTheWideNetworkLimit(string name)
    {
        var (layer, phi, derivative, weightVariance, biasVariance, seed) = Setting(name);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Network network = Nngp.FullyConnected(Depth, layer, weightVariance, biasVariance);
        Matrix<double> nngp = engine.Kernel(network, Inputs, null, new KernelOptions { Kind = KernelKind.Nngp }, cancellationToken: TestContext.Current.CancellationToken);
        Matrix<double> ntk = engine.Kernel(network, Inputs, null, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken);

        var sampler = new RandomNetworkSampler(phi, derivative, Depth, Width, weightVariance, biasVariance, seed);
        var nngpSamples = new List<Matrix<double>>();
        var ntkSamples = new List<Matrix<double>>();
        for (int s = 0; s < Networks; s++)
        {
            var (k, t) = sampler.Sample(Inputs);
            nngpSamples.Add(k);
            ntkSamples.Add(t);
        }

        var (nngpMean, nngpTolerance) = MeanAndTolerance(nngpSamples, nngp);
        var (ntkMean, ntkTolerance) = MeanAndTolerance(ntkSamples, ntk);
        AssertWithin(nngp, nngpMean, nngpTolerance, $"{name} NNGP");
        AssertWithin(ntk, ntkMean, ntkTolerance, $"{name} NTK");

        // Power: the same Monte Carlo estimate rejects nearby wrong kernels.
        Matrix<double> shallower = engine.Kernel(Nngp.FullyConnected(Depth - 1, layer, weightVariance, biasVariance), Inputs, cancellationToken: TestContext.Current.CancellationToken);
        Matrix<double> steeper = engine.Kernel(Nngp.FullyConnected(Depth, layer, 1.1 * weightVariance, biasVariance), Inputs, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(Rejects(shallower, nngpMean, nngpTolerance), $"{name}: the depth-1 kernel is not rejected");
        Assert.True(Rejects(steeper, nngpMean, nngpTolerance), $"{name}: the kernel with σw² × 1.1 is not rejected");
    }

    private static (Matrix<double> Mean, Matrix<double> Tolerance) MeanAndTolerance(List<Matrix<double>> samples, Matrix<double> analytic)
    {
        int count = samples.Count;
        int p = analytic.RowCount;
        Matrix<double> mean = samples.Aggregate((a, b) => a + b) / count;
        var tolerance = Matrix<double>.Build.Dense(p, p);
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < p; j++)
            {
                double variance = samples.Sum(s => (s[i, j] - mean[i, j]) * (s[i, j] - mean[i, j])) / (count - 1);
                double standardError = Math.Sqrt(variance / count);
                double scale = Math.Sqrt(analytic[i, i] * analytic[j, j]);
                tolerance[i, j] = 5 * standardError + 2.0 / Width * scale;
            }
        }

        return (mean, tolerance);
    }

    private static void AssertWithin(Matrix<double> analytic, Matrix<double> mean, Matrix<double> tolerance, string what)
    {
        for (int i = 0; i < analytic.RowCount; i++)
        {
            for (int j = 0; j < analytic.ColumnCount; j++)
            {
                Assert.True(
                    Math.Abs(mean[i, j] - analytic[i, j]) <= tolerance[i, j],
                    FormattableString.Invariant($"{what} ({i},{j}): analytic {analytic[i, j]:G6}, {Networks} networks of width {Width}: {mean[i, j]:G6} ± {tolerance[i, j]:G3}"));
            }
        }
    }

    private static bool Rejects(Matrix<double> wrong, Matrix<double> mean, Matrix<double> tolerance)
    {
        for (int i = 0; i < wrong.RowCount; i++)
        {
            for (int j = 0; j < wrong.ColumnCount; j++)
            {
                if (Math.Abs(mean[i, j] - wrong[i, j]) > tolerance[i, j])
                {
                    return true;
                }
            }
        }

        return false;
    }
}
