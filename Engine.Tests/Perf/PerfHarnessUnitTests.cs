using GpuNngp.Perf;
using Xunit;

namespace GpuNngp.Engine.Tests.Perf;

/// <summary>The harness's pieces that need no timing: options, N series, peaks table, statistics, work models.</summary>
public sealed class PerfHarnessUnitTests
{
    [Fact]
    public void TrainSizes_DefaultCpuSeriesStopsAt8000_MaxNExtendsIt_GpuGoesToWhatFits()
    {
        var options = HarnessOptions.Parse([]);
        Assert.Equal([1000, 2000, 4000, 8000], options.TrainSizes(gpu: false, fits: 40_000));
        Assert.Equal([1000, 2000, 4000, 8000, 16000], HarnessOptions.Parse(["--max-n", "16000"]).TrainSizes(false, 40_000));
        Assert.Equal([1000, 2000, 4000, 8000, 16000, 32000, 64000], options.TrainSizes(gpu: true, fits: 90_000));
        Assert.Equal([1000, 2000, 4000], options.TrainSizes(gpu: false, fits: 5000));
        Assert.Equal([1000, 1414, 2000], HarnessOptions.Parse(["--quick"]).TrainSizes(false, 40_000));
        Assert.Equal([1500, 3000], HarnessOptions.Parse(["--n", "3000,1500,99999"]).TrainSizes(false, 40_000));
    }

    [Fact]
    public void Parse_ReadsOptionsAndRejectsBadOnes()
    {
        var options = HarnessOptions.Parse(["--backends", "gpu", "--m", "2000", "--sweep-activation", "ReLU,tanh", "--no-sweeps", "--repeats", "5"]);
        Assert.Equal(["gpu"], options.Backends);
        Assert.Equal(2000, options.TestSize);
        Assert.Equal(5, options.Repeats);
        Assert.Empty(options.SweepActivations);
        Assert.Empty(options.SweepTestSizes);
        Assert.Throws<ArgumentException>(() => HarnessOptions.Parse(["--backends", "tpu"]));
        Assert.Throws<ArgumentException>(() => HarnessOptions.Parse(["--repeats", "0"]));
        Assert.Throws<ArgumentException>(() => HarnessOptions.Parse(["--m"]));
        Assert.Throws<ArgumentException>(() => HarnessOptions.Parse(["--frobnicate"]));

        var error = new StringWriter();
        Assert.Equal(2, PerfProgram.Run(["--ratio", "1"], TextWriter.Null, error));
        Assert.StartsWith("error: --ratio", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GPU NVIDIA H100 80GB HBM3 (CC 9.0, 79.2 GiB, cuBLAS + cuSOLVER)", "H100 SXM", 67.0)]
    [InlineData("GPU NVIDIA H100 PCIe (CC 9.0, 79.1 GiB, cuBLAS + cuSOLVER)", "H100 PCIe", 51.0)]
    [InlineData("GPU NVIDIA H100 NVL (CC 9.0, 93.1 GiB, cuBLAS + cuSOLVER)", "H100 NVL", 60.0)]
    [InlineData("GPU NVIDIA H200 (CC 9.0, 139.8 GiB, cuBLAS + cuSOLVER)", "H200 SXM", 67.0)]
    [InlineData("NVIDIA A100-SXM4-80GB", "A100 SXM4 80GB", 19.5)]
    [InlineData("NVIDIA A100-SXM4-40GB", "A100 SXM4 40GB", 19.5)]
    [InlineData("NVIDIA A100 80GB PCIe", "A100 80GB PCIe", 19.5)]
    [InlineData("NVIDIA A100-PCIE-40GB", "A100 PCIe 40GB", 19.5)]
    [InlineData("NVIDIA L40S", "L40S", 1.43)]
    [InlineData("NVIDIA GeForce RTX 4090", "GeForce RTX 4090", 1.29)]
    public void GpuPeaks_MatchTheCardFromItsName(string name, string card, double fp64TeraFlops)
    {
        var peaks = GpuPeaks.Find(name);
        Assert.NotNull(peaks);
        Assert.Equal(card, peaks.Card);
        Assert.Equal(fp64TeraFlops * 1000, peaks.For(PeakKind.Fp64).Peak, 6);
        Assert.True(peaks.For(PeakKind.Memory).Peak > 500);
        Assert.Null(GpuPeaks.Find("Tesla T4"));
    }

    [Fact]
    public void Statistics_MedianSpreadAndLogLogSlope()
    {
        var summary = Summary.Of([3.0, 1.0, 2.0, 10.0]);
        Assert.Equal(2.5, summary.Median);
        Assert.Equal((10.0 - 1.0) / 2.5, summary.Spread, 12);

        var cubic = new[] { 1000.0, 2000, 4000, 8000 }.Select(n => (n, 2e-9 * n * n * n)).ToArray();
        var fit = Statistics.LogLogSlope(cubic);
        Assert.NotNull(fit);
        Assert.Equal(3.0, fit.Value.Slope, 10);
        Assert.Equal(1.0, fit.Value.RSquared, 10);
        Assert.Null(Statistics.LogLogSlope([(1000.0, 1.0)]));
    }

    [Fact]
    public void StageWork_UsesTheIssuesModels()
    {
        var shape = new Shape(N: 1000, M: 200, D: 784, Depth: 3, Outputs: 10);
        Assert.Equal(1000.0 * 1000 * 784, StageWork.For(Stage.InputGram, shape).Amount);
        Assert.Equal(1e9 / 3, StageWork.For(Stage.Factorisation, shape).Amount, 6);
        Assert.Equal(1000.0 * 1000 * 200, StageWork.For(Stage.Variance, shape).Amount);
        Assert.Equal(16.0 * 1000 * 1001 / 2, StageWork.For(Stage.LayerMap, shape).Amount);
        Assert.Equal("GB/s", StageWork.For(Stage.LayerMap, shape).Unit);
        Assert.Equal(2.0, StageWork.For(Stage.InputGram, shape).Rate(0.392), 9);
    }
}
