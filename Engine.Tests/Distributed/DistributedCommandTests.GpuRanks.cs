using GpuNngp.Data;
using GpuNngp.Engine.Distributed;
using GpuNngp.Engine.Tests.Cli;
using GpuNngp.Engine.Tests.Gpu;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Distributed;

/// <summary>
/// The GPU ranks' commands, `nngp ... --distributed --device gpu` (cuSOLVERMp), on the same inputs as
/// the CPU ranks': where their libraries are missing, one line from rank 0 naming the library and a
/// non-zero exit on every rank, under mpirun -np 1 and 2 and as one rank without MPI; where a GPU and
/// the libraries are there, one rank on one GPU equal to the single-GPU provider within 1e-10 (means,
/// variances, covariance, log p(Y)); and the ranks' kind as the environment variable gives it.
/// </summary>
public sealed partial class DistributedCommandTests
{
    private static readonly Lazy<string?> GpuRanksMissing = new(GpuRankLibraries.Missing);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void WithoutItsLibraries_EveryRankEndsWithOneLineNamingTheFirstMissing(int ranks)
    {
        Assert.SkipWhen(MpiLauncher.UnavailableReason is not null, MpiLauncher.UnavailableReason ?? "");
        Assert.SkipWhen(GpuRanksMissing.Value is null, "cuSOLVERMp, NCCL and the CUDA runtime all load here: the GPU ranks start instead");

        var (code, output) = MpiLauncher.Run(ranks, Predict("gpu-ranks", "--distributed --device gpu"));

        AssertRefusedForMissingLibraries(code, output);
    }

    [Fact]
    public void OutsideALauncher_OneRankWithoutMpi_IsRefusedAlike()
    {
        Assert.SkipWhen(GpuRanksMissing.Value is null, "cuSOLVERMp, NCCL and the CUDA runtime all load here: the GPU rank starts instead");

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
        Assert.SkipWhen(GpuRanksMissing.Value is not null, $"the GPU ranks' libraries are missing: {GpuRanksMissing.Value}");
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

    [Theory]
    [InlineData("gpu", true)]
    [InlineData("GPU", true)]
    [InlineData("cpu", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void TheRanksVariable_AsksForGpuRanksOnlyWhenItSaysGpu(string? value, bool gpu)
    {
        string? before = Environment.GetEnvironmentVariable(DistributedProvider.RanksVariable);
        try
        {
            Environment.SetEnvironmentVariable(DistributedProvider.RanksVariable, value);
            Assert.Equal(gpu, DistributedProvider.GpuRanksAsked());
        }
        finally
        {
            Environment.SetEnvironmentVariable(DistributedProvider.RanksVariable, before);
        }
    }

    private void AssertRefusedForMissingLibraries(int code, string output)
    {
        Assert.Equal(GpuNngp.Cli.NngpCommandLine.InputError, code);
        Assert.Equal(1, Occurrences(output, "error:"));
        string line = output.Split('\n').Single(l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith("error: --distributed --device gpu: ", line, StringComparison.Ordinal);
        Assert.Contains("is not installed", line, StringComparison.Ordinal);
        Assert.True(new[] { "libcusolverMp.so.0", "libnccl.so.2", "libcudart.so" }.Any(library => line.Contains(library, StringComparison.Ordinal)), line);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("gpu-ranks-mean.npy")) || File.Exists(_temp.File("alone-mean.npy")), "a refused run wrote its output");
    }
}
