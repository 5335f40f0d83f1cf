using System.Text.Json;
using GpuNngp.Data;
using GpuNngp.Engine.Tests.Cli;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

/// <summary>`--split` on `evaluate` and `search`, on a small MNIST-format directory.</summary>
public sealed class SplitOptionTests
{
    [Fact]
    public void EvaluateWithThePapersSplitTestsOnTheWholeTestFileByDefault()
    {
        using var dir = NumberedDirectory(testCount: 30);
        string json = dir.File("report.json");

        var (code, output, error) = CliRunner.Run("evaluate", "--dataset", dir.Path, "--split", "paper", "--train-size", "100", "--depth", "1", "--device", "cpu", "--json", json);

        Assert.True(code == 0, error + output);
        Assert.Contains("(paper split), 100 train / 30 test", output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("paper", document.RootElement.GetProperty("split").GetString());
        Assert.Equal(30, document.RootElement.GetProperty("testSize").GetInt32());

        (code, output, error) = CliRunner.Run("evaluate", "--dataset", dir.Path, "--split", "paper", "--train-size", "100", "--test-size", "20", "--depth", "1", "--device", "cpu");
        Assert.True(code == 0, error + output);
        Assert.Contains("(paper split), 100 train / 20 test", output, StringComparison.Ordinal);

        // Without --split a directory gets the first examples, and the test size its usual default.
        (code, output, error) = CliRunner.Run("evaluate", "--dataset", dir.Path, "--train-size", "100", "--test-size", "30", "--depth", "1", "--device", "cpu");
        Assert.True(code == 0, error + output);
        Assert.Contains("(first split), 100 train / 30 test", output, StringComparison.Ordinal);
    }

    [Fact]
    public void SearchWithThePapersSplitFitsTheSubsetAndScoresTheValidationSet()
    {
        using var dir = NumberedDirectory(testCount: 10);
        string json = dir.File("search.json");

        var (code, output, error) = CliRunner.Run(
            "search", "--dataset", dir.Path, "--split", "paper", "--train-size", "100", "--validation-size", "50",
            "--weight-vars", "1", "--bias-vars", "0.1", "--depths", "1", "--device", "cpu", "--csv", dir.File("search.csv"), "--json", json);

        Assert.True(code == 0, error + output);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal("paper", root.GetProperty("split").GetString());
        Assert.Equal(100, root.GetProperty("fitSize").GetInt32()); // the subset alone: the validation images come from elsewhere
        Assert.Equal(50, root.GetProperty("validationSize").GetInt32());
    }

    [Fact]
    public void ThePapersSplitOfMnist10kIsAOneLineError()
    {
        var (code, _, error) = CliRunner.Run("evaluate", "--dataset", "mnist10k", "--split", "paper", "--device", "cpu");

        Assert.Equal(2, code);
        Assert.Contains("mnist10k is one pool", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    private static TempDirectory NumberedDirectory(int testCount)
    {
        var dir = new TempDirectory();
        PaperSplitTests.WriteNumberedSet(dir.Path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", PaperSplitTests.RandomLabels(PaperSplit.ValidationCount + 400, 11));
        PaperSplitTests.WriteNumberedSet(dir.Path, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", PaperSplitTests.RandomLabels(testCount, 12));
        return dir;
    }
}
