using GpuNngp.Engine.Tests.Data;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>
/// Images that do not fit the --net network, on every command that takes it: a valid convolution
/// larger than the image, a pooling window that does not tile it, channels that differ between the
/// sets, flat rows for a convolutional network. One line naming the layer (or the sets), exit code
/// 2, no stack trace, no output file.
/// </summary>
public sealed class NetShapeErrorTests : IDisposable
{
    private const string TooLargeConv = "conv:9x9:valid:1.6:0.1,relu,flatten,dense:1.6:0.1";
    private const string UntiledPool = "conv:3x3:same:1.6:0.1,relu,avgpool:3x3,flatten,dense:1.6:0.1";
    private const string Fitting = "conv:3x3:same:1.6:0.1,relu,flatten,dense:1.6:0.1";
    private const string TooLargeMessage = "on 8×8×1 images: layer 1 (Conv(9×9, valid, 1.6, 0.1)): the valid window's height 9 is larger than the 8×8 image it gets";
    private const string UntiledMessage = "on 8×8×1 images: layer 3 (AvgPool(3×3";

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

    private string[] Kernel(string spec, string x2 = "test.npy") =>
        ["kernel", "--x1", _temp.File("train.npy"), "--x2", _temp.File(x2), "--net", spec, "--device", "cpu", "--out", _temp.File("out.npy")];

    private string[] Predict(string spec, string test = "test.npy") =>
        ["predict", "--train-x", _temp.File("train.npy"), "--train-y", _temp.File("y.npy"), "--test-x", _temp.File(test), "--net", spec,
         "--device", "cpu", "--out-mean", _temp.File("out.npy"), "--out-var", _temp.File("out-var.npy")];

    private string[] Evaluate(string spec, string dataset = "grey") =>
        ["evaluate", "--dataset", _temp.File(dataset), "--train-size", "6", "--test-size", "3", "--net", spec, "--device", "cpu",
         "--json", _temp.File("out.json"), "--calibration", _temp.File("out.png")];

    private string[] Search(string spec, string dataset = "grey") =>
        ["search", "--dataset", _temp.File(dataset), "--train-size", "6", "--validation-size", "2", "--net", spec, "--weight-vars", "1", "--bias-vars", "0",
         "--device", "cpu", "--csv", _temp.File("out.csv")];

    private void AssertOneLineExitTwo(string[] arguments, string mention)
    {
        var (code, output, error) = CliRunner.Run(arguments);
        Assert.True(code == 2, $"exit code {code}, stderr: {error}");
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got: {error}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(mention, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path, "out*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Kernel_AValidConvLargerThanTheImage() => AssertOneLineExitTwo(Kernel(TooLargeConv), "--net " + TooLargeMessage);

    [Fact]
    public void Kernel_APoolingWindowThatDoesNotTile() => AssertOneLineExitTwo(Kernel(UntiledPool), "--net " + UntiledMessage);

    [Fact]
    public void Kernel_ChannelsThatDiffer() => AssertOneLineExitTwo(Kernel(Fitting, "test2.npy"), "--x2 holds images of 8×8×2 but --x1 of 8×8×1");

    [Fact]
    public void Predict_AValidConvLargerThanTheImage() => AssertOneLineExitTwo(Predict(TooLargeConv), "--net " + TooLargeMessage);

    [Fact]
    public void Predict_APoolingWindowThatDoesNotTile() => AssertOneLineExitTwo(Predict(UntiledPool), "--net " + UntiledMessage);

    [Fact]
    public void Predict_ChannelsThatDiffer() => AssertOneLineExitTwo(Predict(Fitting, "test2.npy"), "--test-x holds images of 8×8×2 but --train-x of 8×8×1");

    [Fact]
    public void Evaluate_AValidConvLargerThanTheImage() => AssertOneLineExitTwo(Evaluate(TooLargeConv), "the network " + TooLargeMessage);

    [Fact]
    public void Evaluate_APoolingWindowThatDoesNotTile() => AssertOneLineExitTwo(Evaluate(UntiledPool), "the network " + UntiledMessage);

    [Fact]
    public void Evaluate_ChannelsThatDiffer() => AssertOneLineExitTwo(Evaluate(Fitting, "mixed"), "the test set holds images of 8×8×2 but the training set of 8×8×1");

    [Fact]
    public void Evaluate_FlatRowsForAConvolutionalNet() => AssertOneLineExitTwo(Evaluate(Fitting, "flat"), "the training set has flat rows of 64 values, not images");

    [Fact]
    public void Search_AValidConvLargerThanTheImage() => AssertOneLineExitTwo(Search(TooLargeConv), "the network " + TooLargeMessage);

    [Fact]
    public void Search_APoolingWindowThatDoesNotTile() => AssertOneLineExitTwo(Search(UntiledPool), "the network " + UntiledMessage);

    [Fact]
    public void Evaluate_AFittingNet_RunsOnTheSameFiles()
    {
        // The control: the files above are good, only the networks are wrong.
        var (code, _, error) = CliRunner.Run(Evaluate(Fitting));
        Assert.True(code == 0, error);
        Assert.True(File.Exists(_temp.File("out.json")));
    }
}
