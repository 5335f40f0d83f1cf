using GpuNngp.Data;
using GpuNngp.Engine.Tests.Backends;
using GpuNngp.Experiments.Evaluation;
using GpuNngp.Experiments.Selection;
using Xunit;

namespace GpuNngp.Engine.Tests.Selection;

/// <summary>The library's own checks on what a search and an accuracy are given: labels, grids, numbers.</summary>
public sealed class SearchInputTests
{
    private static readonly SearchGrid OnePoint = new([1.0], [0.1], [1], [1e-6]);

    [Theory]
    [InlineData(new[] { 0, 1, 2 }, "3 labels for 4 points")]
    [InlineData(new[] { 0, 1, 2, 3, 4 }, "5 labels for 4 points")]
    [InlineData(new[] { 0, -1, 1, 0 }, "label 2 is -1")]
    [InlineData(new[] { 0, 99, 1, 0 }, "label 2 is 99")]
    public void ValidationLabels_ThatDoNotFitTheValidationSet_AreRefusedBeforeAnyFit(int[] labels, string mention)
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var x = BackendContractTests.RandomMatrix(10, 3, seed: 70);
        var y = Preprocessing.OneHotTargets([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 3);
        var validation = BackendContractTests.RandomMatrix(4, 3, seed: 71);
        var search = new HyperparameterSearch(engine, Nngp.Relu());

        var error = Assert.Throws<NngpInputException>(() => search.Run(x, y, validation, labels, OnePoint, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains(mention, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumingACsvWrittenWithAnotherSplit_IsRefusedNamingTheSplit()
    {
        var paper = new SearchSettings { Dataset = "/data/mnist", Split = SplitProtocol.Paper, CsvPath = "s.csv" };
        var first = paper with { Split = SplitProtocol.First };
        var recorded = SearchCsv.Settings(paper).ToDictionary(p => p.Key, p => p.Value);

        SearchCsv.CheckSettings("s.csv", recorded, SearchCsv.Settings(paper));
        var error = Assert.Throws<NngpInputException>(() => SearchCsv.CheckSettings("s.csv", recorded, SearchCsv.Settings(first)));
        Assert.Contains("split = paper, not first", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accuracy_OfLabelsAndPredictionsOfDifferentLengths_IsAnError()
    {
        Assert.Equal(0.5, ClassificationExperiment.Accuracy([1, 2], [1, 3]));
        Assert.Throws<NngpInputException>(() => ClassificationExperiment.Accuracy([1, 2, 3], [1, 2]));
    }

    [Fact]
    public void AGridOf2To32Points_IsCountedWithoutOverflow_AndRefused()
    {
        var values = SearchGrid.ParseValues("0:1:65536", "--weight-vars");
        var grid = new SearchGrid(values, values, [1], [1e-10]);
        Assert.Equal(1L << 32, grid.Count);
        Assert.Contains("4294967296 points", Assert.Throws<NngpInputException>(grid.Validate).Message, StringComparison.Ordinal);
        Assert.True(grid.Contains(new SearchPoint(1, values[7], values[9], 1e-10)));
        Assert.False(grid.Contains(new SearchPoint(2, values[7], values[9], 1e-10)));
    }

    [Theory]
    [InlineData("1:2:3000000000")]
    [InlineData("1:2:0")]
    [InlineData("1:2:1.5")]
    [InlineData("1,,2")]
    [InlineData("1:2")]
    [InlineData("1 000")]
    public void GridValues_ThatAreNotAListOrARange_AreOneLineErrors(string text) =>
        Assert.Contains("--weight-vars", Assert.Throws<NngpInputException>(() => SearchGrid.ParseValues(text, "--weight-vars")).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("1.5", true, 1.5)]
    [InlineData("-2e-3", true, -2e-3)]
    [InlineData(" 7 ", true, 7.0)]
    [InlineData("1,5", false, 0.0)]
    [InlineData("1,000.5", false, 0.0)]
    [InlineData("0x10", false, 0.0)]
    public void Numbers_AreParsedStrictly(string text, bool valid, double expected)
    {
        Assert.Equal(valid, StrictNumber.TryParseDouble(text, out double value));
        if (valid)
        {
            Assert.Equal(expected, value);
        }
    }

    [Fact]
    public void RepeatedRowsOfAResumedFile_CountOnce()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var x = BackendContractTests.RandomMatrix(10, 3, seed: 72);
        var y = Preprocessing.OneHotTargets([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 3);
        var validation = BackendContractTests.RandomMatrix(4, 3, seed: 73);
        var point = OnePoint.Points().Single();
        var old = new SearchResult(point, -1, 0.5, 0);
        var results = new HyperparameterSearch(engine, Nngp.Relu()).Run(x, y, validation, [0, 1, 2, 0], OnePoint, [old, old with { LogMarginalLikelihood = -2 }], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([old], results);
    }

    [Fact]
    public void APointWhoseKernelOverflows_IsRecordedAsFailed_NotAsANaNSuccess()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var x = BackendContractTests.RandomMatrix(10, 3, seed: 74);
        var y = Preprocessing.OneHotTargets([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 3);
        var validation = BackendContractTests.RandomMatrix(4, 3, seed: 75);
        var grid = new SearchGrid([1.0, 5.0], [0.1], [400], [1e-6]); // ReLU, σw² = 5: ×2.5 a layer, past 1e150 near layer 376

        var results = new HyperparameterSearch(engine, Nngp.Relu()).Run(
            x, y, validation, [0, 1, 2, 0], grid, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(results[0].Succeeded, results[0].Failure);
        Assert.False(results[1].Succeeded);
        Assert.Contains("overflows at layer", results[1].Failure, StringComparison.Ordinal);
        Assert.True(double.IsNaN(results[1].LogMarginalLikelihood));
        Assert.Same(results[0], HyperparameterSearch.BestByLikelihood(results));
    }
}
