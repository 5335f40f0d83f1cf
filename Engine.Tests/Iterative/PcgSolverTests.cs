using GpuNngp.Data;
using GpuNngp.Engine.Tests.Backends;
using GpuNngp.Experiments.Evaluation;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Iterative;

/// <summary>
/// The PCG fit against the dense Cholesky fit of the same kernel, an independent solve: means,
/// variances and the log-likelihood (within the SLQ's own stated error), on random and MNIST inputs,
/// for both kernel storages, on the CPU provider and the device kernels on ILGPU's simulator.
/// </summary>
public sealed class PcgSolverTests
{
    private static readonly Network Relu3 = Nngp.FullyConnected(3, Nngp.Relu(), 1.6, 0.1);

    internal static Matrix<double> Random(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        return Matrix<double>.Build.Dense(rows, columns, (_, _) => (random.NextDouble() * 2) - 1);
    }

    internal static (Matrix<double> X, Matrix<double> Y, Matrix<double> XTest) Mnist(int train, int test)
    {
        var split = DataSplit.Load(DataSplit.Mnist10kName, train, test);
        return (Preprocessing.StandardisePerExample(split.Train.Images), Preprocessing.OneHotTargets(split.Train.Labels, 10),
            Preprocessing.StandardisePerExample(split.Test.Images));
    }

    internal static FitOptions Pcg(double noise, KernelStorage storage, double tolerance = 1e-10, int rank = 50) => new()
    {
        Noise = noise,
        Solver = SolverKind.Pcg,
        Pcg = new PcgOptions { Tolerance = tolerance, KernelStorage = storage, PreconditionerRank = rank },
    };

    private static double MaxDifference(Matrix<double> a, Matrix<double> b) => (a - b).Enumerate().Max(Math.Abs);

    [Theory]
    [InlineData(KernelStorage.Recompute)]
    [InlineData(KernelStorage.Fp32)]
    public void RandomInputs_MeanAndVariances_EqualTheDenseSolve(KernelStorage storage)
    {
        var x = Random(300, 16, 1);
        var y = Random(300, 3, 2);
        var xTest = Random(40, 16, 3);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var dense = engine.Fit(Relu3, x, y, new FitOptions { Noise = 1e-2 }, TestContext.Current.CancellationToken);
        using var pcg = engine.Fit(Relu3, x, y, Pcg(1e-2, storage), TestContext.Current.CancellationToken);
        var expected = dense.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
        var actual = pcg.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(MaxDifference(expected.Mean, actual.Mean) <= 1e-7, $"mean differs by {MaxDifference(expected.Mean, actual.Mean):G3}");
        for (int j = 0; j < xTest.RowCount; j++)
        {
            Assert.True(Math.Abs(expected.Variance[j] - actual.Variance[j]) <= 1e-7, $"variance {j}: {expected.Variance[j]} vs {actual.Variance[j]}");
        }

        Assert.NotNull(pcg.Pcg);
        Assert.True(pcg.Pcg.RelativeResidual <= 1e-10);

        // The FP32 kernel alone cannot reach 1e-10 against the FP64 one (2⁻²⁴ ≈ 6e-8 per entry): refinement did.
        Assert.True(storage == KernelStorage.Recompute || pcg.Pcg.Refinements >= 1, $"{pcg.Pcg.Refinements} refinements");
        Assert.Null(dense.Pcg);
    }

    [Theory]
    [InlineData(KernelStorage.Recompute)]
    [InlineData(KernelStorage.Fp32)]
    public void Mnist_Mean_EqualsTheDenseSolve_AndTheLogLikelihoodIsWithinItsStatedError(KernelStorage storage)
    {
        var (x, y, xTest) = Mnist(600, 100);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var dense = engine.Fit(Relu3, x, y, new FitOptions { Noise = 1e-2 }, TestContext.Current.CancellationToken);
        var options = Pcg(1e-2, storage);
        using var pcg = engine.Fit(Relu3, x, y, options with { Pcg = options.Pcg with { Probes = 32 } }, TestContext.Current.CancellationToken);
        var expected = dense.PredictMean(xTest, cancellationToken: TestContext.Current.CancellationToken);
        var actual = pcg.PredictMean(xTest, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(MaxDifference(expected.Mean, actual.Mean) <= 1e-7, $"mean differs by {MaxDifference(expected.Mean, actual.Mean):G3}");

        // The SLQ estimate: within 4 of its standard errors (a 1-in-15,000 miss for a normal estimate).
        double error = pcg.Pcg!.LogMarginalLikelihoodStandardError;
        Assert.True(error > 0 && double.IsFinite(error), $"standard error {error}");
        Assert.True(Math.Abs(pcg.LogMarginalLikelihood - dense.LogMarginalLikelihood) <= 4 * error,
            $"SLQ {pcg.LogMarginalLikelihood} vs exact {dense.LogMarginalLikelihood}, stated error {error}");
    }

    [Fact]
    public void ThePreconditioner_CutsTheIterations()
    {
        // Small noise: plain CG (rank 0) needs many iterations; rank 200 captures the kernel's large eigenvalues.
        var (x, y, _) = Mnist(500, 1);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var plain = engine.Fit(Relu3, x, y, Pcg(1e-3, KernelStorage.Fp32, 1e-6, rank: 0), TestContext.Current.CancellationToken);
        using var preconditioned = engine.Fit(Relu3, x, y, Pcg(1e-3, KernelStorage.Fp32, 1e-6, rank: 200), TestContext.Current.CancellationToken);
        Assert.Equal(0, plain.Pcg!.PreconditionerRank);
        Assert.Equal(200, preconditioned.Pcg!.PreconditionerRank);
        Assert.True(preconditioned.Pcg.Iterations * 2 < plain.Pcg.Iterations, $"{preconditioned.Pcg.Iterations} iterations with the preconditioner, {plain.Pcg.Iterations} without");
    }

    [Fact]
    public void OnTheDeviceProvider_TheMeanEqualsTheDenseSolve()
    {
        var x = Random(120, 8, 4);
        var y = Random(120, 2, 5);
        var xTest = Random(20, 8, 6);
        using var cpu = NngpEngine.Create(DeviceKind.Cpu);
        using var device = new NngpEngine(new SimulatedDeviceProvider(), "simulator");
        using var dense = cpu.Fit(Relu3, x, y, new FitOptions { Noise = 1e-2 }, TestContext.Current.CancellationToken);
        foreach (var storage in new[] { KernelStorage.Recompute, KernelStorage.Fp32 })
        {
            using var pcg = device.Fit(Relu3, x, y, Pcg(1e-2, storage, rank: 20), TestContext.Current.CancellationToken);
            var expected = dense.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
            var actual = pcg.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(MaxDifference(expected.Mean, actual.Mean) <= 1e-7, $"{storage}: mean differs by {MaxDifference(expected.Mean, actual.Mean):G3}");
            Assert.True(expected.Variance.Zip(actual.Variance).Max(p => Math.Abs(p.First - p.Second)) <= 1e-7);
        }
    }
}
