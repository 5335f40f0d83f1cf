using System.Text.Json;
using GpuNngp.Data;
using GpuNngp.Engine.Tests.Selection;
using GpuNngp.Experiments.Selection;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>`nngp search --score lml` on regression files and on a data set, `--optimize`, and their refusals.</summary>
public sealed class SearchScoreCommandTests
{
    private static readonly string[] Grid = ["--weight-vars", "0.8,1.6,2.4", "--bias-vars", "0.05,0.4", "--depths", "1,2", "--noises", "0.01,0.05", "--device", "cpu"];

    private static string[] Files(TempDirectory temp)
    {
        var (x, y) = RegressionData.Create(50, 3, 2, seed: 21);
        MatrixFile.Write(temp.File("x.npy"), x);
        MatrixFile.Write(temp.File("y.npy"), y);
        return ["search", "--train-x", temp.File("x.npy"), "--train-y", temp.File("y.npy"), "--score", "lml", .. Grid];
    }

    [Fact]
    public void LmlSearchOnFiles_ScoresEveryPointByTheEnginesLikelihood_WithoutAccuracy()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = CliRunner.Run([.. Files(temp), "--csv", temp.File("r.csv"), "--json", temp.File("r.json")]);
        Assert.True(code == 0, error);

        var rows = SearchCsv.Read(temp.File("r.csv"));
        Assert.Equal(24, rows.Count);
        var x = MatrixFile.Read(temp.File("x.npy"));
        var y = MatrixFile.Read(temp.File("y.npy"));
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        foreach (var row in rows)
        {
            Assert.True(double.IsNaN(row.ValidationAccuracy));
            using var posterior = engine.Fit(Nngp.FullyConnected(row.Point.Depth, Nngp.Relu(), row.Point.WeightVariance, row.Point.BiasVariance), x, y, new FitOptions { Noise = row.Point.Noise }, TestContext.Current.CancellationToken);
            Assert.Equal(posterior.LogMarginalLikelihood, row.LogMarginalLikelihood, 1e-10 * Math.Abs(row.LogMarginalLikelihood));
        }

        using var document = JsonDocument.Parse(File.ReadAllText(temp.File("r.json")));
        Assert.Equal("lml", document.RootElement.GetProperty("score").GetString());
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("bestByAccuracy").ValueKind);
        Assert.Equal(HyperparameterSearch.BestByLikelihood(rows)!.LogMarginalLikelihood, document.RootElement.GetProperty("bestByLikelihood").GetProperty("logMarginalLikelihood").GetDouble());
        Assert.Contains("scored by log marginal likelihood alone", output, StringComparison.Ordinal);
    }

    [Fact]
    public void LmlSearchOnADataset_FitsEveryTrainingExample()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run(
            ["search", "--dataset", "mnist10k", "--train-size", "80", "--score", "lml", "--weight-vars", "1,2", "--bias-vars", "0.1", "--depths", "1", "--noises", "1e-6", "--device", "cpu",
             "--csv", temp.File("r.csv"), "--json", temp.File("r.json")]);
        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(File.ReadAllText(temp.File("r.json")));
        Assert.Equal(80, document.RootElement.GetProperty("fitSize").GetInt32());
        Assert.Equal(2, SearchCsv.Read(temp.File("r.csv")).Count);
    }

    [Fact]
    public void Optimize_ReportsAnOptimumAtLeastAsGoodAsTheGridsBest()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = CliRunner.Run([.. Files(temp), "--optimize", "--csv", temp.File("r.csv"), "--json", temp.File("r.json")]);
        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(File.ReadAllText(temp.File("r.json")));
        var optimum = document.RootElement.GetProperty("optimum");
        double best = HyperparameterSearch.BestByLikelihood(SearchCsv.Read(temp.File("r.csv")))!.LogMarginalLikelihood;
        Assert.Equal(best, optimum.GetProperty("startLogMarginalLikelihood").GetDouble(), 1e-9 * Math.Abs(best));
        Assert.True(optimum.GetProperty("logMarginalLikelihood").GetDouble() >= best - 1e-9);
        Assert.InRange(optimum.GetProperty("weightVariance").GetDouble(), 0.8, 2.4);
        Assert.Contains("optimised by gradient", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "--score lml")]
    [InlineData("--score lml --optimize --activation tanh", "no closed-form derivatives")]
    [InlineData("--score lml --optimize --ntk", "--ntk")]
    [InlineData("--score lml2", "--score must be accuracy or lml")]
    public void BadCombinations_AreRefusedInOneLine_BeforeAnyFile(string extra, string mention)
    {
        using var temp = new TempDirectory();
        string[] args = Files(temp);
        Assert.Equal(["--score", "lml"], args[5..7]);
        var (code, _, error) = CliRunner.Run([.. args[..5], .. args[7..], .. extra.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--csv", temp.File("r.csv")]);
        Assert.Equal(2, code);
        Assert.Contains(mention, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(File.Exists(temp.File("r.csv")));
    }
}
