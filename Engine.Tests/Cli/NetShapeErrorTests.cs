using GpuNngp.Engine.Tests.Data;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>
/// Images that do not fit the --net network, on every command that takes it: a valid convolution
/// larger than the image, a pooling window that does not tile it, channels that differ between the
/// sets, flat rows for a convolutional network. (`search` reads one file, the training one, so its
/// sets cannot differ.) One line naming the layer (or the sets), exit code
/// 2, no stack trace, no output file.
/// </summary>
public sealed class NetShapeErrorTests : IDisposable
{
    private const string TooLargeConv = "conv:9x9:valid:1.6:0.1,relu,flatten,dense:1.6:0.1";
    private const string UntiledPool = "conv:3x3:same:1.6:0.1,relu,avgpool:3x3,flatten,dense:1.6:0.1";
    private const string Fitting = "conv:3x3:same:1.6:0.1,relu,flatten,dense:1.6:0.1";
    private const string TooLargeMessage = "on 8×8×1 images: layer 1 (Conv(9×9, valid, 1.6, 0.1)): the valid window's height 9 is larger than the 8×8 image it gets";
    private const string UntiledMessage = "on 8×8×1 images: layer 3 (AvgPool(3×3";
    private const string NonGaussian = "conv:3x3:same:1.6:0.1,relu,relu,flatten,dense:1.6:0.1";
    private const string NonGaussianMessage = "layer 3 (Relu) needs a Gaussian input (the output of a Conv or Dense layer, or a residual sum of such branches) but receives the output of layer 2 (Relu)";

    private readonly TempDirectory _temp = new();

    public NetShapeErrorTests()
    {
        // (N, 8, 8, C) float64 images: 5 and 3 of one channel, 3 of two.
        var random = new Random(90);
        void Images(string name, int count, int channels) => File.WriteAllBytes(_temp.File(name), TestFiles.Npy(
            $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({count}, 8, 8, {channels}), }}",
            TestFiles.Float64([.. Enumerable.Range(0, count * 64 * channels).Select(_ => random.NextDouble() - 0.5)])));
        Images("train.npy", 5, 1);
        Images("test.npy", 3, 1);
        Images("test2.npy", 3, 2);
        GpuNngp.Data.MatrixFile.Write(_temp.File("y.npy"), MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(5, 2, (i, c) => i == c ? 1 : 0));

        ImageDatasetFiles.Write(_temp.File("grey"), train: 6, test: 3);
        ImageDatasetFiles.Write(_temp.File("mixed"), train: 6, test: 3, testChannels: 2);
        ImageDatasetFiles.Write(_temp.File("flat"), train: 6, test: 3, trainChannels: 0, testChannels: 0);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>The command's arguments; <paramref name="other"/> is its second set (kernel, predict) or its data set (evaluate, search).</summary>
    private string[] Arguments(string command, string spec, string? other) => command switch
    {
        "kernel" => ["kernel", "--x1", _temp.File("train.npy"), "--x2", _temp.File(other ?? "test.npy"), "--net", spec, "--device", "cpu", "--out", _temp.File("out.npy")],
        "predict" => ["predict", "--train-x", _temp.File("train.npy"), "--train-y", _temp.File("y.npy"), "--test-x", _temp.File(other ?? "test.npy"), "--net", spec,
            "--device", "cpu", "--out-mean", _temp.File("out.npy"), "--out-var", _temp.File("out-var.npy")],
        "evaluate" => ["evaluate", "--dataset", _temp.File(other ?? "grey"), "--train-size", "6", "--test-size", "3", "--net", spec, "--device", "cpu",
            "--json", _temp.File("out.json"), "--calibration", _temp.File("out.png")],
        _ => ["search", "--dataset", _temp.File(other ?? "grey"), "--train-size", "6", "--validation-size", "2", "--net", spec, "--weight-vars", "1", "--bias-vars", "0",
            "--device", "cpu", "--csv", _temp.File("out.csv")],
    };

    [Theory]
    [InlineData("kernel", TooLargeConv, null, "--net " + TooLargeMessage)]
    [InlineData("kernel", UntiledPool, null, "--net " + UntiledMessage)]
    [InlineData("kernel", Fitting, "test2.npy", "--x2 holds images of 8×8×2 but --x1 of 8×8×1")]
    [InlineData("predict", TooLargeConv, null, "--net " + TooLargeMessage)]
    [InlineData("predict", UntiledPool, null, "--net " + UntiledMessage)]
    [InlineData("predict", Fitting, "test2.npy", "--test-x holds images of 8×8×2 but --train-x of 8×8×1")]
    [InlineData("evaluate", TooLargeConv, null, "the network " + TooLargeMessage)]
    [InlineData("evaluate", UntiledPool, null, "the network " + UntiledMessage)]
    [InlineData("evaluate", Fitting, "mixed", "the test set holds images of 8×8×2 but the training set of 8×8×1")]
    [InlineData("evaluate", Fitting, "flat", "the training set has flat rows of 64 values, not images")]
    [InlineData("search", TooLargeConv, null, "the network " + TooLargeMessage)]
    [InlineData("search", UntiledPool, null, "the network " + UntiledMessage)]
    [InlineData("kernel", NonGaussian, null, NonGaussianMessage)]
    [InlineData("evaluate", NonGaussian, null, NonGaussianMessage)]
    public void ImagesTheNetworkCannotTake_AreOneLineExitTwo_AndWriteNothing(string command, string spec, string? other, string mention)
    {
        var (code, output, error) = CliRunner.Run(Arguments(command, spec, other));
        Assert.True(code == 2, $"exit code {code}, stderr: {error}");
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got: {error}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(mention, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path, "out*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("evaluate", "--test-size")]
    [InlineData("search", "--validation-size")]
    public void TheEmbeddedMnist_IsTakenAs28By28By1Images(string command, string heldOut)
    {
        // A 3×3 pooling does not tile 28 rows: the shape reached the network from the data set's file.
        var (code, _, error) = CliRunner.Run(
            [command, "--dataset", "mnist10k", "--train-size", "100", heldOut, "20", "--net", "avgpool:3x3,conv:3x3:same:1.6:0.1,relu,gap,dense:1.6:0.1",
             "--device", "cpu", .. command == "search" ? new[] { "--csv", _temp.File("out.csv") } : []]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: the network on 28×28×1 images: layer 1 (AvgPool(3×3, valid)): the window does not tile the 28×28 image", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path, "out*"));
    }

    [Fact]
    public void Evaluate_AFittingNet_RunsOnTheSameFiles()
    {
        // The control: the files above are good, only the networks are wrong.
        var (code, _, error) = CliRunner.Run(Arguments("evaluate", Fitting, null));
        Assert.True(code == 0, error);
        Assert.True(File.Exists(_temp.File("out.json")));
    }
}
