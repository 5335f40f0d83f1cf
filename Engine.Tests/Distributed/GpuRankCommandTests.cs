using GpuNngp.Data;
using GpuNngp.Engine.Distributed;
using GpuNngp.Engine.Tests.Backends;
using GpuNngp.Engine.Tests.Cli;
using GpuNngp.Engine.Tests.Gpu;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Distributed;

/// <summary>
/// `nngp ... --distributed --device gpu` (GPU ranks, cuSOLVERMp): where its libraries are missing, one
/// line from rank 0 naming the library and a non-zero exit on every rank, under mpirun -np 1 and 2
/// and as one rank without MPI; where a GPU and the libraries are there, one rank on one GPU equal to
/// the single-GPU provider within 1e-10 (means, variances, covariance, log p(Y)).
/// </summary>
[Collection(nameof(SoloCollection))]
public sealed class GpuRankCommandTests : IDisposable
{
    private const double Tolerance = 1e-10;

    private static readonly Lazy<string?> Missing = new(GpuRankLibraries.Missing);

    private readonly TempDirectory _temp = new();

    public GpuRankCommandTests()
    {
        MatrixFile.Write(_temp.File("x.npy"), BackendContractTests.RandomMatrix(300, 12, seed: 301));
        MatrixFile.Write(_temp.File("y.npy"), BackendContractTests.RandomMatrix(300, 3, seed: 302));
        MatrixFile.Write(_temp.File("t.npy"), BackendContractTests.RandomMatrix(40, 12, seed: 303));
    }

    private string[] Predict(string prefix, string device) =>
    [
        "predict", "--train-x", _temp.File("x.npy"), "--train-y", _temp.File("y.npy"), "--test-x", _temp.File("t.npy"),
        "--depth", "3", "--noise", "0.01", .. device.Split(' '),
        "--out-mean", _temp.File($"{prefix}-mean.npy"), "--out-var", _temp.File($"{prefix}-var.npy"),
        "--out-cov", _temp.File($"{prefix}-cov.npy"), "--save-model", _temp.File($"{prefix}.nngp"),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void WithoutItsLibraries_EveryRankEndsWithOneLineNamingTheFirstMissing(int ranks)
    {
        Assert.SkipWhen(MpiLauncher.UnavailableReason is not null, MpiLauncher.UnavailableReason ?? "");
        Assert.SkipWhen(Missing.Value is null, "cuSOLVERMp, NCCL and the CUDA runtime all load here: the GPU ranks start instead");

        var (code, output) = MpiLauncher.Run(ranks, Predict("gpu", "--distributed --device gpu"));

        AssertRefusedForMissingLibraries(code, output);
    }

    [Fact]
    public void OutsideALauncher_OneRankWithoutMpi_IsRefusedAlike()
    {
        Assert.SkipWhen(Missing.Value is null, "cuSOLVERMp, NCCL and the CUDA runtime all load here: the GPU rank starts instead");

        var (code, output) = MpiLauncher.RunAlone(Predict("alone", "--distributed --device gpu"));

        AssertRefusedForMissingLibraries(code, output);
    }

    [Fact]
    public void AnUnknownKindOfRanks_IsRefusedInOneLine()
    {
        var (code, output) = MpiLauncher.RunAlone(Predict("tpu", "--distributed"), new Dictionary<string, string> { [DistributedProvider.RanksVariable] = "tpu" });

        Assert.Equal(GpuNngp.Cli.NngpCommandLine.InputError, code);
        Assert.Equal("error: GPUNNGP_DISTRIBUTED_RANKS = 'tpu': the distributed ranks are cpu (ScaLAPACK, the default) or gpu (cuSOLVERMp)", output.Trim());
    }

    /// <summary>The check a lent GPU runs: one GPU rank (without MPI, and under mpirun -np 1 where it is installed) against the single-GPU provider.</summary>
    [Fact]
    public void OneRankOnOneGpu_EqualsTheSingleGpuProvider()
    {
        GpuTestSupport.SkipUnlessAvailable();
        Assert.SkipWhen(Missing.Value is not null, $"the GPU ranks' libraries are missing: {Missing.Value}");
        var (gpuCode, _, gpuError) = CliRunner.Run(Predict("gpu", "--device gpu"));
        Assert.True(gpuCode == 0, gpuError);

        var runs = new List<(string Prefix, int Code, string Output)>();
        var (aloneCode, aloneOutput) = MpiLauncher.RunAlone(Predict("alone", "--distributed --device gpu"), timeoutSeconds: 300);
        runs.Add(("alone", aloneCode, aloneOutput));
        if (MpiLauncher.UnavailableReason is null)
        {
            var (code, output) = MpiLauncher.Run(1, Predict("mpi", "--distributed --device gpu"), timeoutSeconds: 300);
            runs.Add(("mpi", code, output));
        }

        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var single = PosteriorFile.Load(engine, _temp.File("gpu.nngp"));
        foreach (var (prefix, code, output) in runs)
        {
            Assert.True(code == 0, output);
            Assert.Contains("distributed GPU ranks (1 ", output, StringComparison.Ordinal);
            foreach (string result in new[] { "mean", "var", "cov" })
            {
                Matrix<double> expected = MatrixFile.Read(_temp.File($"gpu-{result}.npy")), actual = MatrixFile.Read(_temp.File($"{prefix}-{result}.npy"));
                double largest = (expected - actual).Enumerate().Max(Math.Abs);
                Assert.True(largest <= Tolerance, $"{prefix} {result}: largest difference {largest:E2}");
            }

            using var ranked = PosteriorFile.Load(engine, _temp.File($"{prefix}.nngp"));
            Assert.True(Math.Abs(single.LogMarginalLikelihood - ranked.LogMarginalLikelihood) <= Tolerance * Math.Abs(single.LogMarginalLikelihood),
                $"log p(Y): {single.LogMarginalLikelihood:R} on one GPU, {ranked.LogMarginalLikelihood:R} on one GPU rank ({prefix})");
        }
    }

    private void AssertRefusedForMissingLibraries(int code, string output)
    {
        Assert.Equal(GpuNngp.Cli.NngpCommandLine.InputError, code);
        Assert.Equal(1, output.Split('\n').Count(line => line.StartsWith("error:", StringComparison.Ordinal)));
        string line = output.Split('\n').Single(l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith("error: --distributed --device gpu: ", line, StringComparison.Ordinal);
        Assert.Contains("is not installed", line, StringComparison.Ordinal);
        Assert.True(new[] { "libcusolverMp.so.0", "libnccl.so.2", "libcudart.so" }.Any(library => line.Contains(library, StringComparison.Ordinal)), line);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("gpu-mean.npy")) || File.Exists(_temp.File("alone-mean.npy")), "a refused run wrote its output");
    }

    public void Dispose() => _temp.Dispose();
}
