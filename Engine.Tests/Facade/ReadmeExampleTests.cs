using GpuNngp;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

// Deliberately outside the GpuNngp namespaces: what a user's program sees with `using GpuNngp;` alone.
namespace ReadmeExample;

/// <summary>The README's library example, compiled and run as a user would write it.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void TheReadmeExample_RunsWithOneUsing_AndInterpolatesItsTrainingData()
    {
        var random = new Random(5);
        var xTrain = Matrix<double>.Build.Dense(30, 8, (_, _) => random.NextDouble() - 0.5);
        var yTrain = Matrix<double>.Build.Dense(30, 2, (i, c) => Math.Cos(i + 3 * c));

        var net = Nngp.Serial(Nngp.Dense(1.45, 0.28), Nngp.Relu()).Repeat(20).Then(Nngp.Dense(1.45, 0.28));
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var posterior = engine.Fit(net, xTrain, yTrain, new FitOptions { Noise = 1e-10 }, cancellationToken: TestContext.Current.CancellationToken);
        var (mean, variance) = posterior.Predict(xTrain, cancellationToken: TestContext.Current.CancellationToken);
        double evidence = posterior.LogMarginalLikelihood;

        Assert.True(double.IsFinite(evidence));
        Assert.True((mean - yTrain).InfinityNorm() < 1e-4, $"the mean at the training points is off by {(mean - yTrain).InfinityNorm()}");
        Assert.All(variance!, v => Assert.InRange(v, 0, 1e-4));
        var kernel = engine.Kernel(Nngp.FullyConnected(20, Nngp.Relu(), 1.45, 0.28), xTrain, null, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(30, kernel.RowCount);
    }
}
