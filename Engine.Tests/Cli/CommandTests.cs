using System.Globalization;
using System.Text.Json;
using GpuNngp.Data;
using GpuNngp.Engine.Tests.Backends;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>The `nngp` commands doing their jobs, checked against the library.</summary>
public sealed class CommandTests
{
    [Fact]
    public void Demo_ReachesThePapersAccuracy()
    {
        var (code, output, error) = CliRunner.Run("demo", "--device", "cpu");
        Assert.True(code == 0, error);
        string line = output.Split('\n').Single(l => l.StartsWith("accuracy:", StringComparison.Ordinal));
        double accuracy = double.Parse(line["accuracy:".Length..].Trim(), CultureInfo.InvariantCulture);

        // The paper reports 0.9279 for ReLU GP-20-1.45-0.28 on 1,000 MNIST digits (its own split).
        Assert.True(accuracy >= 0.92, $"demo accuracy {accuracy}");
        Assert.Contains("layer-map", output, StringComparison.Ordinal);
        Assert.Contains("CPU", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_WritesAMachineReadableReport()
    {
        using var temp = new TempDirectory();
        string json = temp.File("report.json");
        var (code, _, error) = CliRunner.Run(
            "evaluate", "--dataset", "mnist10k", "--train-size", "300", "--test-size", "200", "--depth", "2",
            "--activation", "erf", "--weight-var", "2", "--bias-var", "0.1", "--device", "cpu", "--json", json);
        Assert.True(code == 0, error);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        double accuracy = root.GetProperty("accuracy").GetDouble();
        Assert.InRange(accuracy, 0.6, 1.0);
        Assert.StartsWith("CPU", root.GetProperty("backend").GetString(), StringComparison.Ordinal);
        Assert.True(root.GetProperty("jitter").GetDouble() >= 0);
        Assert.True(double.IsFinite(root.GetProperty("logMarginalLikelihood").GetDouble()));
        var stages = root.GetProperty("stageSeconds").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("layer-map", stages);
        Assert.Contains("factorisation", stages);
        Assert.Equal(300, root.GetProperty("trainSize").GetInt32());
    }

    [Fact]
    public void Kernel_WritesTheLibrarysKernel()
    {
        using var temp = new TempDirectory();
        var x1 = BackendContractTests.RandomMatrix(20, 7, seed: 30);
        var x2 = BackendContractTests.RandomMatrix(9, 7, seed: 31);
        MatrixFile.Write(temp.File("a.npy"), x1);
        MatrixFile.Write(temp.File("b.csv"), x2);

        var (code, _, error) = CliRunner.Run(
            "kernel", "--x1", temp.File("a.npy"), "--x2", temp.File("b.csv"), "--depth", "4", "--activation", "gelu",
            "--weight-var", "1.7", "--bias-var", "0.05", "--ntk", "--device", "cpu", "--out", temp.File("k.npy"));
        Assert.True(code == 0, error);

        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var expected = engine.Kernel(Nngp.FullyConnected(4, Nngp.Gelu(), 1.7, 0.05), x1, x2, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken);
        BackendContractTests.AssertClose(expected, MatrixFile.Read(temp.File("k.npy")), 1e-15);
    }

    [Fact]
    public void KernelMonteCarlo_WritesTheLibrarysEstimate()
    {
        using var temp = new TempDirectory();
        var x1 = BackendContractTests.RandomMatrix(6, 5, seed: 35);
        var x2 = BackendContractTests.RandomMatrix(3, 5, seed: 36);
        MatrixFile.Write(temp.File("a.npy"), x1);
        MatrixFile.Write(temp.File("b.npy"), x2);

        var (code, _, error) = CliRunner.Run(
            "kernel", "--x1", temp.File("a.npy"), "--x2", temp.File("b.npy"), "--depth", "2", "--activation", "erf",
            "--weight-var", "1.5", "--bias-var", "0.2", "--ntk", "--monte-carlo", "32,3", "--seed", "-9", "--device", "cpu", "--out", temp.File("k.npy"));
        Assert.True(code == 0, error);

        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var expected = engine.MonteCarloKernel(
            Nngp.FullyConnected(2, Nngp.Erf(), 1.5, 0.2), x1, x2, new MonteCarloOptions { Width = 32, Samples = 3, Seed = -9, Kind = KernelKind.Ntk }, TestContext.Current.CancellationToken);
        BackendContractTests.AssertClose(expected, MatrixFile.Read(temp.File("k.npy")), 1e-15);
    }

    [Fact]
    public void Predict_WritesMeanVarianceStandardDeviationAndCovariance()
    {
        using var temp = new TempDirectory();
        var x = BackendContractTests.RandomMatrix(40, 5, seed: 32);
        var y = BackendContractTests.RandomMatrix(40, 3, seed: 33);
        var t = BackendContractTests.RandomMatrix(15, 5, seed: 34);
        MatrixFile.Write(temp.File("x.csv"), x);
        MatrixFile.Write(temp.File("y.npy"), y);
        MatrixFile.Write(temp.File("t.npy"), t);

        var (code, _, error) = CliRunner.Run(
            "predict", "--train-x", temp.File("x.csv"), "--train-y", temp.File("y.npy"), "--test-x", temp.File("t.npy"),
            "--depth", "3", "--noise", "0.01", "--device", "cpu", "--out-mean", temp.File("mean.npy"), "--out-var", temp.File("var.csv"),
            "--out-std", temp.File("std.npy"), "--out-cov", temp.File("cov.npy"));
        Assert.True(code == 0, error);

        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var posterior = engine.Fit(Nngp.FullyConnected(3, Nngp.Relu(), 1.45, 0.28), x, y, new FitOptions { Noise = 0.01 }, cancellationToken: TestContext.Current.CancellationToken);
        var expected = posterior.PredictCovariance(t, cancellationToken: TestContext.Current.CancellationToken);
        BackendContractTests.AssertClose(expected.Mean, MatrixFile.Read(temp.File("mean.npy")), 1e-14);
        BackendContractTests.AssertClose(expected.Covariance, MatrixFile.Read(temp.File("cov.npy")), 1e-14);
        var variance = MatrixFile.Read(temp.File("var.csv"));
        var std = MatrixFile.Read(temp.File("std.npy"));
        Assert.Equal(15, variance.RowCount);
        for (int i = 0; i < 15; i++)
        {
            Assert.Equal(expected.Variance[i], variance[i, 0], 1e-15);
            Assert.Equal(Math.Sqrt(variance[i, 0]), std[i, 0], 1e-15);
        }
    }
}
