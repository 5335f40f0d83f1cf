using GpuNngp.Data;
using GpuNngp.Engine.Tests.Backends;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>`nngp predict --out-std --out-cov`: the files hold what the library's predictions hold.</summary>
public sealed class PredictOutputsCommandTests
{
    [Fact]
    public void Predict_WritesStandardDeviationAndCovariance()
    {
        using var temp = new TempDirectory();
        var x = BackendContractTests.RandomMatrix(30, 4, seed: 41);
        var y = BackendContractTests.RandomMatrix(30, 2, seed: 42);
        var t = BackendContractTests.RandomMatrix(11, 4, seed: 43);
        MatrixFile.Write(temp.File("x.npy"), x);
        MatrixFile.Write(temp.File("y.npy"), y);
        MatrixFile.Write(temp.File("t.npy"), t);

        var (code, output, error) = CliRunner.Run(
            "predict", "--train-x", temp.File("x.npy"), "--train-y", temp.File("y.npy"), "--test-x", temp.File("t.npy"),
            "--depth", "2", "--activation", "erf", "--noise", "0.02", "--device", "cpu",
            "--out-mean", temp.File("mean.npy"), "--out-std", temp.File("std.csv"), "--out-cov", temp.File("cov.npy"));
        Assert.True(code == 0, error);
        Assert.Contains("covariance to", output, StringComparison.Ordinal);

        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var posterior = engine.Fit(Nngp.FullyConnected(2, Nngp.Erf(), 1.45, 0.28), x, y, noise: 0.02);
        var expected = posterior.PredictCovariance(t);
        BackendContractTests.AssertClose(expected.Mean, MatrixFile.Read(temp.File("mean.npy")), 1e-14);
        BackendContractTests.AssertClose(expected.Covariance, MatrixFile.Read(temp.File("cov.npy")), 1e-14);
        var std = MatrixFile.Read(temp.File("std.csv"));
        Assert.Equal(11, std.RowCount);
        for (int i = 0; i < 11; i++)
        {
            Assert.Equal(Math.Sqrt(expected.Covariance[i, i]), std[i, 0], 1e-12);
        }

        Assert.False(File.Exists(temp.File("var.npy")));
    }
}
