using System.Text.Json;
using GpuNngp.Experiments.Selection;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>`nngp search`: its CSV, its report, its plots, and resuming from an interrupted CSV.</summary>
public sealed class SearchCommandTests
{
    // 2 σw² × 2 σb² × 2 depths: small enough for CI, with a ReLU boundary (σw² = 2) inside the grid.
    private static readonly string[] SmallSearch =
    [
        "search", "--dataset", "mnist10k", "--train-size", "160", "--validation-size", "60", "--activation", "relu",
        "--weight-vars", "1:3:2", "--bias-vars", "0:0.5:2", "--depths", "1,3", "--noises", "1e-6", "--device", "cpu",
    ];

    [Fact]
    public void Search_WritesEveryPoint_TheBestByEachScore_AndTwoPhaseDiagramsPerDepth()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("plots"));
        var (code, output, error) = CliRunner.Run([.. SmallSearch, "--csv", temp.File("r.csv"), "--json", temp.File("r.json"), "--plots", temp.File("plots")]);
        Assert.True(code == 0, error);

        var rows = SearchCsv.Read(temp.File("r.csv"));
        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.True(r.Succeeded, r.Failure));

        using var document = JsonDocument.Parse(File.ReadAllText(temp.File("r.json")));
        var root = document.RootElement;
        Assert.Equal(8, root.GetProperty("points").GetArrayLength());
        Assert.Equal(100, root.GetProperty("fitSize").GetInt32());
        var bestLikelihood = HyperparameterSearch.BestByLikelihood(rows)!;
        var bestAccuracy = HyperparameterSearch.BestByAccuracy(rows)!;
        Assert.Equal(bestLikelihood.LogMarginalLikelihood, root.GetProperty("bestByLikelihood").GetProperty("logMarginalLikelihood").GetDouble());
        Assert.Equal(bestAccuracy.Point.WeightVariance, root.GetProperty("bestByAccuracy").GetProperty("weightVariance").GetDouble());
        Assert.Equal(bestAccuracy.Point.Depth, root.GetProperty("bestByAccuracy").GetProperty("depth").GetInt32());
        Assert.Contains("100 %", output, StringComparison.Ordinal);

        string[] plots = Directory.GetFiles(temp.File("plots")).Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(["depth-1-accuracy.png", "depth-1-likelihood.png", "depth-3-accuracy.png", "depth-3-likelihood.png"], plots);
        foreach (string plot in Directory.GetFiles(temp.File("plots")))
        {
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(plot)[..4]);
        }
    }

    [Fact]
    public void Resume_AfterAnInterruption_WritesTheSameCsv_AndANewSearchNeverOverwrites()
    {
        using var temp = new TempDirectory();
        string whole = temp.File("whole.csv"), resumed = temp.File("resumed.csv");
        var (code, _, error) = CliRunner.Run([.. SmallSearch, "--csv", whole]);
        Assert.True(code == 0, error);

        // What an interrupted run leaves: the settings and the header, three finished rows and one cut off mid-write.
        string[] lines = File.ReadAllLines(whole);
        Assert.StartsWith(SearchCsv.SettingsPrefix, lines[0], StringComparison.Ordinal);
        File.WriteAllText(resumed, string.Join("\n", lines[..5]) + "\n" + lines[5][..9]);
        string before = File.ReadAllText(resumed);

        (code, _, error) = CliRunner.Run([.. SmallSearch, "--csv", resumed]);
        Assert.Equal(2, code);
        Assert.Contains("--resume", error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(resumed));

        var (resumedCode, output, resumedError) = CliRunner.Run([.. SmallSearch, "--csv", resumed, "--resume"]);
        Assert.True(resumedCode == 0, resumedError);
        Assert.Contains("3 of 8 points", output, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(whole), File.ReadAllText(resumed));
    }

    [Theory]
    [InlineData("--ntk", null, "kernel = nngp, not ntk")]
    [InlineData("--train-size", "170", "train_size = 160, not 170")]
    [InlineData("--validation-size", "50", "validation_size = 60, not 50")]
    [InlineData("--activation", "erf", "activation = relu, not erf")]
    public void Resume_WithOtherSettings_IsRefusedNamingTheSetting_AndLeavesTheCsvAlone(string option, string? value, string mention)
    {
        using var temp = new TempDirectory();
        string csv = temp.File("r.csv");
        Assert.Equal(0, CliRunner.Run([.. SmallSearch, "--csv", csv]).ExitCode);
        string before = File.ReadAllText(csv);

        string[] changed = value is null
            ? [.. SmallSearch, option]
            : SmallSearch.Select((a, i) => i > 0 && SmallSearch[i - 1] == option ? value : a).ToArray();
        var (code, _, error) = CliRunner.Run([.. changed, "--csv", csv, "--resume"]);

        FailureTests.AssertOneLineError(code, error, mention);
        Assert.Equal(before, File.ReadAllText(csv));
    }

    [Fact]
    public void Resume_OfAFileWithARepeatedRow_CountsThePointOnce()
    {
        using var temp = new TempDirectory();
        string whole = temp.File("whole.csv"), repeated = temp.File("repeated.csv");
        Assert.Equal(0, CliRunner.Run([.. SmallSearch, "--csv", whole]).ExitCode);
        string[] lines = File.ReadAllLines(whole);
        File.WriteAllLines(repeated, [.. lines[..4], lines[3], lines[3]]); // settings, header, two rows, the second twice more

        var (code, output, error) = CliRunner.Run([.. SmallSearch, "--csv", repeated, "--resume"]);
        Assert.True(code == 0, error);
        Assert.Contains("2 of 8 points", output, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(whole), File.ReadAllText(repeated));
    }

    [Fact]
    public void Resume_WithAnotherGrid_IsRefused_AndLeavesTheCsvAlone()
    {
        using var temp = new TempDirectory();
        string csv = temp.File("r.csv");
        Assert.Equal(0, CliRunner.Run([.. SmallSearch, "--csv", csv]).ExitCode);
        string before = File.ReadAllText(csv);

        string[] otherGrid = SmallSearch.Select(a => a == "1,3" ? "2,3" : a).ToArray();
        var (code, _, error) = CliRunner.Run([.. otherGrid, "--csv", csv, "--resume"]);
        Assert.Equal(2, code);
        Assert.Contains("not in this grid", error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(csv));
    }
}
