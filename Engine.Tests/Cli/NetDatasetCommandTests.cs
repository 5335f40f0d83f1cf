using System.Text.Json;
using GpuNngp.Data;
using GpuNngp.Engine.Architecture;
using GpuNngp.Experiments.Selection;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>
/// `--net` on the data-set commands, `evaluate` and `search`: a convolutional network is put on the
/// data set's image shape, the images are standardised one by one (the paper's per-example
/// preprocessing over H·W·C values), and a dense description is the --depth/--activation network.
/// </summary>
public sealed class NetDatasetCommandTests : IDisposable
{
    private const string PooledSpec = "conv:3x3:same:1.6:0.1,relu,avgpool:2x2,flatten,dense:1.6:0.1";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Each row to mean 0 and variance 1 over its values, written here apart from the experiment's code.</summary>
    private static Matrix<double> StandardisedOneByOne(Matrix<double> images)
    {
        var result = images.Clone();
        for (int r = 0; r < images.RowCount; r++)
        {
            double mean = 0;
            for (int c = 0; c < images.ColumnCount; c++)
            {
                mean += images[r, c];
            }

            mean /= images.ColumnCount;
            double squares = 0;
            for (int c = 0; c < images.ColumnCount; c++)
            {
                squares += (images[r, c] - mean) * (images[r, c] - mean);
            }

            double sd = Math.Sqrt(squares / images.ColumnCount);
            for (int c = 0; c < images.ColumnCount; c++)
            {
                result[r, c] = (images[r, c] - mean) / sd;
            }
        }

        return result;
    }

    private static Matrix<double> Targets(int[] labels, int classes) =>
        Matrix<double>.Build.Dense(labels.Length, classes, (i, c) => labels[i] == c ? 0.9 : -0.1);

    private static double Accuracy(IReadOnlyList<int> predicted, int[] labels) =>
        (double)labels.Where((label, i) => predicted[i] == label).Count() / labels.Length;

    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();

    [Fact]
    public void Evaluate_WithAConvolutionalNet_IsTheLibrarysFit_OnTheImagesStandardisedOneByOne()
    {
        string data = _temp.File("data");
        ImageDatasetFiles.Write(data, train: 24, test: 9);
        var (code, _, error) = CliRunner.Run(
            ["evaluate", "--dataset", data, "--train-size", "24", "--test-size", "9", "--net", PooledSpec, "--noise", "1e-6", "--device", "cpu", "--json", _temp.File("r.json")]);
        Assert.True(code == 0, error);
        var report = Json(_temp.File("r.json"));

        var split = DataSplit.Load(data, 24, 9);
        var network = NetworkSpec.Parse(PooledSpec).OnImages(8, 8, 1);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var posterior = engine.Fit(network, StandardisedOneByOne(split.Train.Images), Targets(split.Train.Labels, 3), new FitOptions { Noise = 1e-6 }, cancellationToken: TestContext.Current.CancellationToken);
        var prediction = posterior.Predict(StandardisedOneByOne(split.Test.Images), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(posterior.LogMarginalLikelihood, report.GetProperty("logMarginalLikelihood").GetDouble(), 1e-9 * Math.Abs(posterior.LogMarginalLikelihood));
        Assert.Equal(Accuracy(prediction.PredictedClasses(), split.Test.Labels), report.GetProperty("accuracy").GetDouble());
        Assert.Equal(network.ToString(), report.GetProperty("architecture").GetString());

        // The raw pixels give another likelihood: the comparison above sees the preprocessing.
        using var raw = engine.Fit(network, split.Train.Images, Targets(split.Train.Labels, 3), new FitOptions { Noise = 1e-6 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(Math.Abs(raw.LogMarginalLikelihood - posterior.LogMarginalLikelihood) > 1e-3 * Math.Abs(posterior.LogMarginalLikelihood));
    }

    [Fact]
    public void Evaluate_WithADenseNet_ReportsWhatTheDepthAndActivationOptionsReport()
    {
        string[] common = ["evaluate", "--dataset", "mnist10k", "--train-size", "40", "--test-size", "12", "--device", "cpu"];
        var (code, _, error) = CliRunner.Run([.. common, "--depth", "2", "--activation", "erf", "--weight-var", "1.3", "--bias-var", "0.2", "--json", _temp.File("options.json")]);
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run([.. common, "--net", "dense:1.3:0.2,(erf,dense:1.3:0.2)*2", "--json", _temp.File("net.json")]);
        Assert.True(code == 0, error);

        var options = Json(_temp.File("options.json"));
        var net = Json(_temp.File("net.json"));
        foreach (string property in new[] { "logMarginalLikelihood", "accuracy", "meanPredictiveVariance", "dimension" })
        {
            Assert.Equal(options.GetProperty(property).GetDouble(), net.GetProperty(property).GetDouble());
        }

        Assert.Equal(options.GetProperty("architecture").GetString(), net.GetProperty("architecture").GetString());
    }

    [Fact]
    public void Search_WithAConvolutionalNet_ScoresEachPoint_AsTheNetWithThePointsVariancesInEveryLayer()
    {
        string data = _temp.File("data");
        ImageDatasetFiles.Write(data, train: 27, test: 3);
        const string Spec = "conv:3x3:same:1.6:0.1,relu,conv:2x2:valid:1.6:0.1,relu,flatten,dense:1.6:0.1";
        var (code, output, error) = CliRunner.Run(
            ["search", "--dataset", data, "--train-size", "27", "--validation-size", "9", "--net", Spec,
             "--weight-vars", "1,2.5", "--bias-vars", "0.2", "--noises", "1e-6", "--device", "cpu", "--csv", _temp.File("r.csv"), "--json", _temp.File("r.json")]);
        Assert.True(code == 0, error);
        Assert.Contains("network:", output, StringComparison.Ordinal);

        var rows = SearchCsv.Read(_temp.File("r.csv"));
        Assert.Equal([1.0, 2.5], rows.Select(r => r.Point.WeightVariance));
        Assert.All(rows, r => Assert.Equal(2, r.Point.Depth)); // two hidden layers with weights, the readout not counted
        Assert.Null(Json(_temp.File("r.json")).GetProperty("activation").GetString());

        var (fit, validation) = DataSplit.LoadTraining(data, 27).SplitLast(9);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        foreach (var row in rows)
        {
            double w = row.Point.WeightVariance;
            var network = Nngp.Serial(Nngp.Conv(3, 3, w, 0.2), Nngp.Relu(), Nngp.Conv(2, 2, w, 0.2, Padding.Valid), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(w, 0.2)).OnImages(8, 8, 1);
            using var posterior = engine.Fit(network, StandardisedOneByOne(fit.Images), Targets(fit.Labels, 3), new FitOptions { Noise = 1e-6 }, cancellationToken: TestContext.Current.CancellationToken);
            var predicted = posterior.PredictMean(StandardisedOneByOne(validation.Images), cancellationToken: TestContext.Current.CancellationToken).PredictedClasses();
            Assert.Equal(posterior.LogMarginalLikelihood, row.LogMarginalLikelihood, 1e-9 * Math.Abs(posterior.LogMarginalLikelihood));
            Assert.Equal(Accuracy(predicted, validation.Labels), row.ValidationAccuracy);
        }

        Assert.NotEqual(rows[0].LogMarginalLikelihood, rows[1].LogMarginalLikelihood); // the variances did change
    }

    [Fact]
    public void Search_WithADenseNet_WritesTheRowsOfTheDepthAndActivationOptions()
    {
        string[] common = ["search", "--dataset", "mnist10k", "--train-size", "60", "--validation-size", "20", "--weight-vars", "1:2:2", "--bias-vars", "0,0.3", "--noises", "1e-6", "--device", "cpu"];
        var (code, _, error) = CliRunner.Run([.. common, "--activation", "erf", "--depths", "2", "--csv", _temp.File("options.csv")]);
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run([.. common, "--net", "dense:7:7,(erf,dense:7:7)*2", "--csv", _temp.File("net.csv")]);
        Assert.True(code == 0, error);

        // The rows bit for bit; the settings lines differ only in naming the network.
        string[] options = File.ReadAllLines(_temp.File("options.csv"));
        string[] net = File.ReadAllLines(_temp.File("net.csv"));
        Assert.Equal(6, options.Length);
        Assert.Equal(options[1..], net[1..]);
        Assert.Contains("activation=erf", options[0], StringComparison.Ordinal);
        Assert.Contains("net=", net[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Search_ResumedWithAnotherNet_IsRefused()
    {
        string[] common = ["search", "--dataset", "mnist10k", "--train-size", "40", "--validation-size", "10", "--weight-vars", "1", "--bias-vars", "0", "--device", "cpu", "--csv", _temp.File("r.csv")];
        var (code, _, error) = CliRunner.Run([.. common, "--net", "dense:1:0,relu,dense:1:0"]);
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run([.. common, "--net", "dense:1:0,erf,dense:1:0", "--resume"]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("was written with net = ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--depths", "1,2")]
    [InlineData("--activation", "erf")]
    public void Search_WithNetAndAnOptionItDescribes_IsOneLineExitTwo(string option, string value)
    {
        var (code, _, error) = CliRunner.Run(["search", "--net", "dense:1:0,relu,dense:1:0", option, value, "--device", "cpu", "--csv", _temp.File("r.csv")]);
        Assert.Equal(2, code);
        Assert.Equal($"error: --net describes the whole network: drop {option}, or drop --net", error.Trim());
        Assert.False(File.Exists(_temp.File("r.csv")));
    }

    [Fact]
    public void Evaluate_WithNetAndAnArchitectureOption_IsOneLineExitTwo_AndWritesNoReport()
    {
        var (code, _, error) = CliRunner.Run(["evaluate", "--net", "dense:1:0,relu,dense:1:0", "--weight-var", "2", "--device", "cpu", "--json", _temp.File("r.json")]);
        Assert.Equal(2, code);
        Assert.Equal("error: --net describes the whole network: drop --weight-var, or drop --net", error.Trim());
        Assert.False(File.Exists(_temp.File("r.json")));
    }

    [Fact]
    public void Search_WithNetAndPlots_IsOneLineExitTwo()
    {
        Directory.CreateDirectory(_temp.File("plots"));
        var (code, _, error) = CliRunner.Run(["search", "--net", "dense:1:0,relu,dense:1:0", "--plots", _temp.File("plots"), "--device", "cpu", "--csv", _temp.File("r.csv")]);
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("error: --plots draws the phase diagrams", error, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("r.csv")));
        Assert.Empty(Directory.GetFiles(_temp.File("plots")));
    }

    [Fact]
    public void SearchedNetwork_GivesEveryWeightedLayerThePointsVariances_InResidualBranchesToo()
    {
        var template = NetworkSpec.Parse("conv:3x3:same:1.6:0.1,relu,res[conv:3x3:same:1:0,relu,conv:3x3:same:1:0|id],gap,dense:1.6:0.1");
        var searched = new SearchedNetwork(template);
        Assert.Equal(3, searched.Depth); // conv, the deeper branch's two convs; the readout not counted
        var expected = Nngp.Serial(
            Nngp.Conv(3, 3, 2, 0.5), Nngp.Relu(),
            Nngp.Residual(Nngp.Serial(Nngp.Conv(3, 3, 2, 0.5), Nngp.Relu(), Nngp.Conv(3, 3, 2, 0.5)), Nngp.IdentityBranch),
            Nngp.GlobalAvgPool(), Nngp.Dense(2, 0.5));
        Assert.Equal(expected.Layers, searched.At(2, 0.5).Layers);
        Assert.Throws<NngpInputException>(() => searched.CheckDepths([3, 4]));
    }
}
