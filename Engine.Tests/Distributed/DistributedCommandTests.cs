using GpuNngp.Data;
using GpuNngp.Engine.Tests.Backends;
using GpuNngp.Engine.Tests.Cli;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Distributed;

/// <summary>
/// `mpirun -np P nngp ... --distributed` against the single-process CPU provider on the same inputs:
/// means, variances, the covariance and the log marginal likelihood (read back from the saved
/// posterior, whose factor the distributed run gathered) within 1e-10; the kernel command; and the
/// failures: a rank that fails alone, ranks given different inputs, too few points for the grid,
/// and --distributed outside mpirun, each one line from rank 0 and a non-zero exit on every rank.
/// </summary>
[Collection(nameof(SoloCollection))]
public sealed partial class DistributedCommandTests : IDisposable
{
    private const double Tolerance = 1e-10;
    private const int TrainCount = 300;

    private readonly TempDirectory _temp = new();

    public DistributedCommandTests()
    {
        MatrixFile.Write(_temp.File("x.npy"), BackendContractTests.RandomMatrix(TrainCount, 12, seed: 201));
        MatrixFile.Write(_temp.File("y.npy"), BackendContractTests.RandomMatrix(TrainCount, 3, seed: 202));
        MatrixFile.Write(_temp.File("t.npy"), BackendContractTests.RandomMatrix(40, 12, seed: 203));
        MatrixFile.Write(_temp.File("x-other.npy"), BackendContractTests.RandomMatrix(TrainCount, 12, seed: 204));
        MatrixFile.Write(_temp.File("x-small.npy"), BackendContractTests.RandomMatrix(100, 12, seed: 205));
        MatrixFile.Write(_temp.File("y-small.npy"), BackendContractTests.RandomMatrix(100, 3, seed: 206));
    }

    private string[] Predict(string prefix, string device, string train = "x.npy") =>
    [
        "predict", "--train-x", _temp.File(train), "--train-y", _temp.File("y.npy"), "--test-x", _temp.File("t.npy"),
        "--depth", "3", "--noise", "0.01", .. device.Split(' '),
        "--out-mean", _temp.File($"{prefix}-mean.npy"), "--out-var", _temp.File($"{prefix}-var.npy"),
        "--out-cov", _temp.File($"{prefix}-cov.npy"), "--save-model", _temp.File($"{prefix}.nngp"),
    ];

    [Theory]
    [InlineData(2, null)]
    [InlineData(4, null)]
    [InlineData(4, "16")]
    public void Predict_OnRanks_EqualsTheSingleProcessCpu(int ranks, string? block)
    {
        Assert.SkipWhen(MpiLauncher.UnavailableReason is not null, MpiLauncher.UnavailableReason ?? "");
        var (cpuCode, _, cpuError) = CliRunner.Run(Predict("cpu", "--device cpu"));
        Assert.True(cpuCode == 0, cpuError);
        var environment = block is null ? null : new Dictionary<string, string> { ["GPUNNGP_SCALAPACK_BLOCK"] = block };

        var (code, output) = MpiLauncher.Run(ranks, Predict("mpi", "--distributed"), environment: environment);

        Assert.True(code == 0, output);
        Assert.Contains($"distributed ({ranks} MPI ranks", output, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(output, "mean (40×3) written"));
        foreach (string result in new[] { "mean", "var", "cov" })
        {
            Matrix<double> expected = MatrixFile.Read(_temp.File($"cpu-{result}.npy")), actual = MatrixFile.Read(_temp.File($"mpi-{result}.npy"));
            Assert.Equal(expected.RowCount, actual.RowCount);
            Assert.True((expected - actual).Enumerate().Max(Math.Abs) <= Tolerance, $"{result}: largest difference {(expected - actual).Enumerate().Max(Math.Abs):E2}");
        }

        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var single = PosteriorFile.Load(engine, _temp.File("cpu.nngp"));
        using var distributed = PosteriorFile.Load(engine, _temp.File("mpi.nngp"));
        Assert.True(Math.Abs(single.LogMarginalLikelihood - distributed.LogMarginalLikelihood) <= Tolerance * Math.Abs(single.LogMarginalLikelihood),
            $"log p(Y): {single.LogMarginalLikelihood:R} on one process, {distributed.LogMarginalLikelihood:R} on {ranks} ranks");
    }

    [Fact]
    public void Kernel_OnTwoRanks_EqualsTheSingleProcessCpu()
    {
        Assert.SkipWhen(MpiLauncher.UnavailableReason is not null, MpiLauncher.UnavailableReason ?? "");
        string[] Kernel(string output, string device) =>
            ["kernel", "--x1", _temp.File("x.npy"), "--x2", _temp.File("t.npy"), "--activation", "erf", "--depth", "2", "--ntk", "--out", _temp.File(output), .. device.Split(' ')];
        var (cpuCode, _, cpuError) = CliRunner.Run(Kernel("k-cpu.npy", "--device cpu"));
        Assert.True(cpuCode == 0, cpuError);

        var (code, output) = MpiLauncher.Run(2, Kernel("k-mpi.npy", "--distributed"));

        Assert.True(code == 0, output);
        var difference = MatrixFile.Read(_temp.File("k-cpu.npy")) - MatrixFile.Read(_temp.File("k-mpi.npy"));
        Assert.True(difference.Enumerate().Max(Math.Abs) <= Tolerance, $"largest difference {difference.Enumerate().Max(Math.Abs):E2}");
    }

    /// <summary>
    /// Rank 1 alone is given other training inputs: a file that is not there (it fails on its own while
    /// rank 0 has gone on to the fit's first collective), or other values (found at the upload).
    /// </summary>
    [Theory]
    [InlineData("missing.npy", "error: rank 1: ", "missing.npy")]
    [InlineData("x-other.npy", "error: --distributed: the training inputs differ between the ranks", "every rank must read the same inputs")]
    public void ARankGivenOtherInputs_EndsEveryRankWithOneMessageFromRankZero(string otherTrain, string expected, string alsoExpected)
    {
        Assert.SkipWhen(MpiLauncher.UnavailableReason is not null, MpiLauncher.UnavailableReason ?? "");

        var (code, output) = MpiLauncher.Run(1, Predict("other", "--distributed"), otherRanks: Predict("other", "--distributed", train: otherTrain));

        AssertOneMessageAndNoOutput(code, output, expected, _temp.File("other-mean.npy"));
        Assert.Contains(alsoExpected, output, StringComparison.Ordinal);
    }

    /// <summary>A failed job: a non-zero exit, one error line containing <paramref name="expected"/>, no stack trace, and <paramref name="unwritten"/> not written.</summary>
    internal static void AssertOneMessageAndNoOutput(int code, string output, string expected, string unwritten)
    {
        Assert.NotEqual(0, code);
        Assert.Equal(1, Occurrences(output, "error:"));
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.False(File.Exists(unwritten), "a failed run wrote its output");
    }

    [Fact]
    public void TooFewPointsForTheGrid_AreRefusedInOneLine()
    {
        Assert.SkipWhen(MpiLauncher.UnavailableReason is not null, MpiLauncher.UnavailableReason ?? "");

        var (code, output) = MpiLauncher.Run(4, ["predict", "--train-x", _temp.File("x-small.npy"), "--train-y", _temp.File("y-small.npy"), "--distributed", "--save-model", _temp.File("small.nngp")]);

        Assert.Equal(GpuNngp.Cli.NngpCommandLine.InputError, code);
        Assert.Equal(1, Occurrences(output, "error:"));
        Assert.Contains("error: --distributed: P = 4 ranks make a 2 × 2 process grid of 64 × 64 blocks, which needs N ≥ 128 training points", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Distributed_OutsideMpirun_IsOneLineAndExitCode2()
    {
        var (code, output, error) = CliRunner.Run(Predict("alone", "--distributed"));

        Assert.Equal(GpuNngp.Cli.NngpCommandLine.InputError, code);
        Assert.Equal("", output.Trim());
        Assert.StartsWith("error: --distributed runs only under an MPI launcher: start it as 'mpirun -np P nngp ...'", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void DistributedBesideAnotherDevice_IsRefused()
    {
        Assert.SkipWhen(MpiLauncher.UnavailableReason is not null, MpiLauncher.UnavailableReason ?? "");

        var (code, output) = MpiLauncher.Run(1, ["kernel", "--x1", _temp.File("t.npy"), "--out", _temp.File("k.npy"), "--device", "auto", "--distributed"]);

        Assert.Equal(GpuNngp.Cli.NngpCommandLine.InputError, code);
        Assert.Contains("error: --distributed runs on CPU ranks, or on GPU ranks with --device gpu: drop --device auto", output, StringComparison.Ordinal);
    }

    internal static int Occurrences(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public void Dispose() => _temp.Dispose();
}
