using GpuNngp.Data;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Tests.Data;
using GpuNngp.Engine.Tests.Backends;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>`--net SPEC`: a dense description is the --depth/--activation network; misuse is one line, exit 2.</summary>
public sealed class NetOptionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public NetOptionTests()
    {
        MatrixFile.Write(_temp.File("a.npy"), BackendContractTests.RandomMatrix(12, 6, seed: 60));
        MatrixFile.Write(_temp.File("b.npy"), BackendContractTests.RandomMatrix(7, 6, seed: 61));
    }

    public void Dispose() => _temp.Dispose();

    private string[] Kernel(string output, params string[] architecture) =>
        ["kernel", "--x1", _temp.File("a.npy"), "--x2", _temp.File("b.npy"), "--device", "cpu", "--out", _temp.File(output), .. architecture];

    [Theory]
    [InlineData("dense:1.7:0.05,(gelu,dense:1.7:0.05)*4", "--depth", "4", "--activation", "gelu", "--weight-var", "1.7", "--bias-var", "0.05", "--ntk")]
    [InlineData("dense:1.45:0.28,(relu,dense:1.45:0.28)*3")]
    public void ADenseNet_WritesTheSameKernel_AsTheEquivalentOptions(string spec, params string[] options)
    {
        string[] kind = options.Contains("--ntk") ? ["--ntk"] : [];
        var (code, _, error) = CliRunner.Run(Kernel("options.npy", options));
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run(Kernel("net.npy", ["--net", spec, .. kind]));
        Assert.True(code == 0, error);

        // Bit for bit: the same network, the same map.
        Assert.Equal(File.ReadAllBytes(_temp.File("options.npy")), File.ReadAllBytes(_temp.File("net.npy")));
    }

    [Theory]
    [InlineData("--depth", "2")]
    [InlineData("--activation", "erf")]
    [InlineData("--weight-var", "2")]
    [InlineData("--bias-var", "0.1")]
    public void NetWithAnArchitectureOption_IsOneLineExitTwo(string option, string value)
    {
        var (code, output, error) = CliRunner.Run(Kernel("k.npy", "--net", "dense:1:0", option, value));
        Assert.Equal(2, code);
        Assert.Equal($"error: --net describes the whole network: drop {option}, or drop --net", error.Trim());
        Assert.DoesNotContain("at ", output, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("k.npy")));
    }

    [Theory]
    [InlineData("dense:1:0,relu,conv:3x3:sam:1:0", "--net: network spec, position 25 ('sam'): unknown padding")]
    [InlineData("dense:1:0,relu", "--net: the network must end with a Dense readout")]
    public void ANetTheLibraryRefuses_IsOneLineExitTwo(string spec, string message)
    {
        var (code, _, error) = CliRunner.Run(Kernel("k.npy", "--net", spec));
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("error: --net: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("k.npy")));
    }

    [Theory]
    [InlineData("(conv:3x3:same:1.6:0.1,relu)*2,flatten,dense:1.6:0.1", false)]
    [InlineData("(conv:3x3:same:1.6:0.1,relu)*2,gap,dense:1.6:0.1", true)]
    public void TheIssuesVerbatimSpecs_OnImages_WriteTheLibrarysKernel(string spec, bool ntk)
    {
        // Two (N, H, W, C) = (4, 4, 3, 2) and (3, 4, 3, 2) float64 arrays in C order.
        var random = new Random(70);
        double[] first = [.. Enumerable.Range(0, 4 * 24).Select(_ => random.NextDouble() - 0.5)];
        double[] second = [.. Enumerable.Range(0, 3 * 24).Select(_ => random.NextDouble() - 0.5)];
        File.WriteAllBytes(_temp.File("i1.npy"), TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 4, 3, 2), }", TestFiles.Float64(first)));
        File.WriteAllBytes(_temp.File("i2.npy"), TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4, 3, 2), }", TestFiles.Float64(second)));
        string[] arguments = ["kernel", "--x1", _temp.File("i1.npy"), "--x2", _temp.File("i2.npy"), "--device", "cpu", "--out", _temp.File("k.npy"), "--net", spec];
        var (code, _, error) = CliRunner.Run(ntk ? [.. arguments, "--ntk"] : arguments);
        Assert.True(code == 0, error);

        // The library on the same images, rows = images with pixels row-major and channels innermost.
        var x1 = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(4, 24, (i, j) => first[i * 24 + j]);
        var x2 = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(3, 24, (i, j) => second[i * 24 + j]);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var expected = engine.Kernel(NetworkSpec.Parse(spec).OnImages(4, 3, 2), x1, x2, new KernelOptions { Kind = ntk ? KernelKind.Ntk : KernelKind.Nngp }, cancellationToken: TestContext.Current.CancellationToken);
        var written = MatrixFile.Read(_temp.File("k.npy"));
        Assert.Equal(expected.ToColumnMajorArray(), written.ToColumnMajorArray());
    }

    [Theory]
    [InlineData("(conv:3x3:same:1.6:0.1,relu)*2,flatten,dense:1.6:0.1", false)]
    [InlineData("conv:3x3:same:1.6:0.1,res[relu,conv:3x3:same:1.6:0.1|id],relu,gap,dense:1.6:0.1", true)]
    public void MonteCarlo_OnImages_WritesTheLibrarysEstimate(string spec, bool ntk)
    {
        var random = new Random(72);
        double[] images = [.. Enumerable.Range(0, 3 * 24).Select(_ => random.NextDouble() - 0.5)];
        File.WriteAllBytes(_temp.File("i.npy"), TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4, 3, 2), }", TestFiles.Float64(images)));
        string[] arguments = ["kernel", "--x1", _temp.File("i.npy"), "--device", "cpu", "--out", _temp.File("k.npy"), "--net", spec, "--monte-carlo", "16,2", "--seed", "5"];
        var (code, _, error) = CliRunner.Run(ntk ? [.. arguments, "--ntk"] : arguments);
        Assert.True(code == 0, error);

        var x = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(3, 24, (i, j) => images[i * 24 + j]);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var options = new MonteCarloOptions { Width = 16, Samples = 2, Seed = 5, Kind = ntk ? KernelKind.Ntk : KernelKind.Nngp };
        var expected = engine.MonteCarloKernel(NetworkSpec.Parse(spec).OnImages(4, 3, 2), x, null, options, TestContext.Current.CancellationToken);
        Assert.Equal(expected.ToColumnMajorArray(), MatrixFile.Read(_temp.File("k.npy")).ToColumnMajorArray());
    }

    [Fact]
    public void MonteCarlo_ASkipConnectionAcrossChannelCounts_IsOneLineExitTwo()
    {
        var random = new Random(73);
        double[] images = [.. Enumerable.Range(0, 2 * 24).Select(_ => random.NextDouble() - 0.5)];
        File.WriteAllBytes(_temp.File("i.npy"), TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 4, 3, 2), }", TestFiles.Float64(images)));
        var (code, _, error) = CliRunner.Run(
            "kernel", "--x1", _temp.File("i.npy"), "--device", "cpu", "--out", _temp.File("k.npy"), "--net", "res[conv:3x3:same:1.6:0.1|id],flatten,dense:1.6:0.1", "--monte-carlo", "16,2");
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("error: layer 1 (Residual(", error, StringComparison.Ordinal);
        Assert.Contains("at width 16 branch 2 gives 4×3 × 2 channels but branch 1 gives 4×3 × 16 channels", error, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("k.npy")));
    }

    [Fact]
    public void AConvolutionalNet_OnFlatInputs_IsOneLineExitTwo()
    {
        var (code, _, error) = CliRunner.Run(Kernel("k.npy", "--net", "conv:3x3:same:1.6:0.1,relu,flatten,dense:1.6:0.1"));
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("k.npy")));
    }

    [Fact]
    public void Predict_WithAConvolutionalNet_OnImages_IsTheLibrarysPosterior()
    {
        var random = new Random(71);
        double[] train = [.. Enumerable.Range(0, 6 * 18).Select(_ => random.NextDouble() - 0.5)];
        double[] test = [.. Enumerable.Range(0, 2 * 18).Select(_ => random.NextDouble() - 0.5)];
        File.WriteAllBytes(_temp.File("train.npy"), TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (6, 3, 3, 2), }", TestFiles.Float64(train)));
        File.WriteAllBytes(_temp.File("test.npy"), TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 3, 2), }", TestFiles.Float64(test)));
        var y = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(6, 2, (i, c) => Math.Cos(i - c));
        MatrixFile.Write(_temp.File("y.npy"), y);
        const string Spec = "conv:2x2:circular:1.6:0.1,relu,gap,dense:1.6:0.1";
        var (code, _, error) = CliRunner.Run(
            ["predict", "--train-x", _temp.File("train.npy"), "--train-y", _temp.File("y.npy"), "--test-x", _temp.File("test.npy"),
             "--net", Spec, "--noise", "0.001", "--device", "cpu", "--out-mean", _temp.File("mean.npy"), "--out-var", _temp.File("var.npy")]);
        Assert.True(code == 0, error);

        var x = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(6, 18, (i, j) => train[i * 18 + j]);
        var t = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(2, 18, (i, j) => test[i * 18 + j]);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var posterior = engine.Fit(NetworkSpec.Parse(Spec).OnImages(3, 3, 2), x, y, new FitOptions { Noise = 0.001 }, cancellationToken: TestContext.Current.CancellationToken);
        var expected = posterior.Predict(t, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(expected.Mean.ToColumnMajorArray(), MatrixFile.Read(_temp.File("mean.npy")).ToColumnMajorArray());
        Assert.Equal(expected.Variance, MatrixFile.Read(_temp.File("var.npy")).ToColumnMajorArray());
    }
}
