using System.Text.Json;
using GpuNngp.Cli.Plots;
using GpuNngp.Engine.Tests.Cli;
using GpuNngp.Experiments.Selection;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using CalibrationMath = GpuNngp.Experiments.Evaluation.Calibration;

namespace GpuNngp.Engine.Tests.Calibration;

/// <summary>Uncertainty calibration: the bins, the correlations, the plots and the command line.</summary>
public sealed class CalibrationTests
{
    [Fact]
    public void SquaredErrors_AverageOverTheOutputs()
    {
        var mean = Matrix<double>.Build.DenseOfArray(new double[,] { { 0.9, -0.1 }, { 0.5, 0.0 } });
        var targets = Matrix<double>.Build.DenseOfArray(new double[,] { { 0.9, -0.1 }, { -0.1, 0.9 } });
        double[] errors = CalibrationMath.SquaredErrors(mean, targets);
        Assert.Equal(0, errors[0], 15);
        Assert.Equal((0.36 + 0.81) / 2, errors[1], 15);
    }

    [Fact]
    public void Bins_HaveEqualCounts_InIncreasingVariance()
    {
        // 23 points into 5 bins: 5, 5, 5, 4, 4; variances given shuffled.
        var random = new Random(3);
        double[] variance = Enumerable.Range(0, 23).Select(i => (double)i).OrderBy(_ => random.Next()).ToArray();
        double[] error = variance.Select(v => 2 * v).ToArray();
        var result = CalibrationMath.Compute(variance, error, 5, 1e-10, 10);

        Assert.Equal([5, 5, 5, 4, 4], result.Bins.Select(b => b.Count));
        Assert.Equal(23, result.Bins.Sum(b => b.Count));
        Assert.Equal(2.0, result.Bins[0].MeanVariance, 15);  // 0..4
        Assert.Equal(4.0, result.Bins[0].MeanSquaredError, 15);
        Assert.Equal(0.0, result.Bins[0].MinVariance);
        Assert.Equal(4.0, result.Bins[0].MaxVariance);
        Assert.Equal(20.5, result.Bins[4].MeanVariance, 15); // 19..22
        Assert.Equal(1.0, result.Pearson, 14);
        Assert.Equal(1.0, result.Spearman, 14);
        Assert.Equal(10, result.Outputs);
        Assert.Equal(1e-10, result.Noise);
    }

    [Fact]
    public void Spearman_UsesAverageRanksForTies_AndIsInvariantToMonotoneMaps()
    {
        Assert.Equal([1.5, 1.5, 3, 4.5, 4.5], CalibrationMath.Ranks([2.0, 2.0, 5.0, 7.0, 7.0]));
        double[] x = [0.1, 0.4, 0.2, 0.9, 0.5, 0.3];
        double[] y = x.Select(v => Math.Exp(10 * v)).ToArray();
        Assert.Equal(1.0, CalibrationMath.Spearman(x, y), 14);
        Assert.True(CalibrationMath.Pearson(x, y) < 0.99);
        Assert.Equal(-1.0, CalibrationMath.Spearman(x, y.Select(v => -v).ToArray()), 14);
    }

    [Fact]
    public void Pearson_MatchesTheTextbookValue()
    {
        // x = 1..5, y = 2, 4, 5, 4, 5: Σdxdy = 6, Σdx² = 10, Σdy² = 6, r = 6/√60 = 0.7746.
        Assert.Equal(6 / Math.Sqrt(60), CalibrationMath.Pearson([1.0, 2, 3, 4, 5], [2.0, 4, 5, 4, 5]), 14);
        Assert.True(double.IsNaN(CalibrationMath.Pearson([1.0, 1, 1], [1.0, 2, 3])));
    }

    [Fact]
    public void BadBinCounts_AreInputErrors()
    {
        Assert.Throws<NngpInputException>(() => CalibrationMath.Compute([1.0, 2.0], [1.0, 2.0], 0, 0, 1));
        Assert.Throws<NngpInputException>(() => CalibrationMath.Compute([1.0, 2.0], [1.0, 2.0], 3, 0, 1));
        Assert.Throws<NngpInputException>(() => CalibrationMath.Compute([1.0, double.NaN], [1.0, 2.0], 1, 0, 1));
    }

    [Fact]
    public void CalibrationPlot_RendersAPng()
    {
        using var directory = new TempDirectory();
        double[] variance = Enumerable.Range(1, 100).Select(i => 1e-4 * i).ToArray();
        var result = CalibrationMath.Compute(variance, variance.Select(v => 50 * v * v).ToArray(), 10, 1e-10, 10);
        string path = directory.File("calibration.png");
        CalibrationPlot.Render(path, result, "test");
        AssertPng(path);
    }

    [Fact]
    public void PhaseDiagram_RendersAScoreGrid_WithTheBoundary()
    {
        using var directory = new TempDirectory();
        var propagation = SignalPropagation.For("erf");
        double[] weights = SignalPropagation.Linspace(0.1, 5, 8);
        double[] biases = SignalPropagation.Linspace(0, 2, 6);
        var scores = new double[biases.Length, weights.Length];
        for (int b = 0; b < biases.Length; b++)
        {
            for (int w = 0; w < weights.Length; w++)
            {
                scores[b, w] = 0.9 - 0.01 * Math.Abs(w - b);
            }
        }

        scores[0, 0] = double.NaN; // a failed grid point stays blank
        string path = directory.File("phase.png");
        PhaseDiagram.Render(path, weights, biases, scores, propagation.Boundary(biases), new PhaseDiagram.Options("test", "accuracy", Best: (2.0, 1.0)));
        AssertPng(path);

        Assert.Throws<ArgumentException>(() => PhaseDiagram.Create(weights, biases, new double[2, 2], [], new PhaseDiagram.Options("t", "s")));
        Assert.Throws<ArgumentException>(() => PhaseDiagram.Create([0.1, 0.2, 0.5], biases, new double[6, 3], [], new PhaseDiagram.Options("t", "s")));
    }

    [Fact]
    public void Evaluate_WithCalibration_WritesThePlotAndTheBinsToTheReport()
    {
        using var directory = new TempDirectory();
        string png = directory.File("calibration.png");
        string json = directory.File("report.json");
        var (code, output, error) = CliRunner.Run(
            "evaluate", "--dataset", "mnist10k", "--train-size", "200", "--test-size", "100", "--depth", "2",
            "--device", "cpu", "--calibration", png, "--calibration-bins", "5", "--json", json);

        Assert.True(code == 0, error);
        Assert.Contains("Pearson r =", output, StringComparison.Ordinal);
        Assert.Contains("Spearman ρ =", output, StringComparison.Ordinal);
        AssertPng(png);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var calibration = report.RootElement.GetProperty("calibration");
        Assert.Equal(5, calibration.GetProperty("bins").GetArrayLength());
        Assert.Equal(100, calibration.GetProperty("bins").EnumerateArray().Sum(b => b.GetProperty("count").GetInt32()));
        double spearman = calibration.GetProperty("spearman").GetDouble();
        Assert.InRange(spearman, 0.0, 1.0); // larger predicted variance, larger error
        Assert.Equal("auto", report.RootElement.GetProperty("lookup").GetString());
    }

    [Fact]
    public void Evaluate_RejectsACalibrationFileThatIsNotPng_AndTooManyBins()
    {
        var (code, _, error) = CliRunner.Run("evaluate", "--train-size", "50", "--test-size", "20", "--calibration", "plot.svg");
        Assert.Equal(2, code);
        Assert.Contains(".png", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("evaluate", "--train-size", "50", "--test-size", "20", "--depth", "1", "--device", "cpu", "--calibration-bins", "21");
        Assert.Equal(2, code);
        Assert.Contains("calibration bins", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PhaseCommand_PrintsTheBoundary_AndDrawsIt()
    {
        using var directory = new TempDirectory();
        string png = directory.File("phase.png");
        string json = directory.File("phase.json");
        var (code, output, error) = CliRunner.Run("phase", "--activation", "relu", "--grid", "6", "--png", png, "--json", json);
        Assert.True(code == 0, error);
        Assert.Contains("2.000000", output, StringComparison.Ordinal);
        AssertPng(png);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.All(report.RootElement.GetProperty("boundary").EnumerateArray(), p => Assert.Equal(2.0, p.GetProperty("weightVariance").GetDouble(), 12));
    }

    [Fact]
    public void LookupCommand_MeasuresTheTable_AndRefusesClosedForms()
    {
        var (code, output, error) = CliRunner.Run("lookup", "--activation", "tanh", "--variances", "1", "--samples", "20", "--quadrature-order", "16");
        Assert.True(code == 0, error);
        Assert.Contains("speed-up", output, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("lookup", "--activation", "relu");
        Assert.Equal(2, code);
        Assert.Contains("closed form", error, StringComparison.Ordinal);
    }

    private static void AssertPng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path}: {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }
}
