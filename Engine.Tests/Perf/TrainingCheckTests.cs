using GpuNngp.Perf;
using GpuNngp.Perf.Training;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Perf;

/// <summary>
/// The check against real training (<c>perf training</c>): the finite network's gradient against
/// central differences of its loss, one gradient-descent step lowering the loss, the spectral
/// infinite-width predictions against the linearised model stepped directly, and the measurement
/// end to end on a toy size. No timing is asserted.
/// </summary>
public sealed class TrainingCheckTests
{
    private static (Matrix<double> X, Matrix<double> Y) Toy(int n, int d, int c, int seed)
    {
        var random = new Random(seed);
        var x = Matrix<double>.Build.Dense(n, d, (_, _) => random.NextDouble() * 2 - 1);
        var y = Matrix<double>.Build.Dense(n, c, (_, _) => random.NextDouble() - 0.5);
        return (x, y);
    }

    [Fact]
    public void Gradient_MatchesCentralDifferencesOfTheLoss()
    {
        var (x, y) = Toy(n: 5, d: 3, c: 2, seed: 7);
        using var trainer = new DenseNetworkTrainer(x, y, depth: 2, width: 4, weightVariance: 2, biasVariance: 0.3, seed: 3);
        var parameters = trainer.Parameters();
        var (_, gradient) = trainer.LossAndGradient();
        Assert.Equal(trainer.ParameterCount, gradient.Length);
        const double step = 1e-6;
        double largest = gradient.Max(Math.Abs);
        for (int i = 0; i < parameters.Length; i++)
        {
            var shifted = (double[])parameters.Clone();
            shifted[i] = parameters[i] + step;
            trainer.SetParameters(shifted);
            double up = trainer.Loss();
            shifted[i] = parameters[i] - step;
            trainer.SetParameters(shifted);
            double down = trainer.Loss();
            double numeric = (up - down) / (2 * step);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-7 * largest + 1e-10, $"parameter {i}: backprop {gradient[i]}, central difference {numeric}");
        }

        trainer.SetParameters(parameters);
    }

    [Fact]
    public void OneStep_LowersTheLoss_AndOutputsOfTheTrainingSetAgreeWithTheLoss()
    {
        var (x, y) = Toy(n: 6, d: 4, c: 3, seed: 11);
        using var trainer = new DenseNetworkTrainer(x, y, depth: 1, width: 16, weightVariance: 2, biasVariance: 0.1, seed: 5);
        var residual = trainer.Outputs(x) - y;
        double loss = residual.FrobeniusNorm() * residual.FrobeniusNorm() / (2.0 * 6 * 3);
        Assert.Equal(loss, trainer.Loss(), 12);
        double before = trainer.Step(0.5);
        Assert.Equal(loss, before, 12);
        Assert.True(trainer.Loss() < before, $"loss {trainer.Loss()} after one step from {before}");
    }

    [Fact]
    public void SpectralPredictions_MatchTheLinearisedModelSteppedDirectly()
    {
        // Θ: a random SPD matrix with a test block; the linear model f ← f − η h Θ (f − Y)/(NC) from f = 0.
        var random = new Random(2);
        int n = 6, m = 3, c = 2;
        var features = Matrix<double>.Build.Dense(n + m, n + 2, (_, _) => random.NextDouble() - 0.5);
        var full = features * features.Transpose();
        var theta = full.SubMatrix(0, n, 0, n);
        var thetaTest = full.SubMatrix(n, m, 0, n);
        var y = Matrix<double>.Build.Dense(n, c, (_, _) => random.NextDouble() - 0.5);
        double eta = 0.9 * n * c / theta.Evd().EigenValues.Real().Maximum();
        double[] steps = [0.1, 0.3, 1, 1, 0.5];
        var train = Matrix<double>.Build.Dense(n, c);
        var test = Matrix<double>.Build.Dense(m, c);
        for (int k = 0; k < steps.Length; k++)
        {
            var residual = train - y;
            double rate = eta * steps[k] / (n * c);
            train -= rate * theta * residual;
            test -= rate * thetaTest * residual;
        }

        var discrete = InfiniteWidthPrediction.DiscreteStepsMean(theta, thetaTest, y, eta, steps, [steps.Length]);
        Assert.True((discrete[0] - test).FrobeniusNorm() <= 1e-12, $"discrete steps off by {(discrete[0] - test).FrobeniusNorm()}");
    }

    [Fact]
    public void Schedule_LandsExactlyOnEverySnapshotTime()
    {
        var schedule = StepSchedule.Build([1, 10, 25], first: 0.01, growth: 0.05, largest: 1);
        Assert.Equal(3, schedule.SnapshotSteps.Count);
        double[] times = [1, 10, 25];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(times[i], schedule.StepTimes.Take(schedule.SnapshotSteps[i]).Sum(), 9);
        }

        Assert.All(schedule.StepTimes, h => Assert.InRange(h, 1e-12, 1));
    }

    [Fact]
    public void Measurement_RunsOnAToySize_AndTheGapShrinksWithWidth()
    {
        var settings = new TrainingSettings { TrainSize = 12, TestSize = 6, Widths = [8, 512], Seeds = 2, Times = [1, 5] };
        var report = TrainingCheck.Run(settings, TextWriter.Null);
        Assert.Equal(4, report.Rows.Count);
        Assert.All(report.Rows, r => Assert.True(double.IsFinite(r.PerSeedGap) && double.IsFinite(r.EnsembleGap) && r.PredictedMovement > 0));

        // The library's gradient flow against this check's own MathNet model stepped by the schedule:
        // they differ only by time discretisation, far below the prediction itself.
        Assert.All(report.Rows, r => Assert.True(r.DiscretisationFloor < 0.02 * r.PredictionScale, $"τ = {r.Time}: flow and steps differ by {r.DiscretisationFloor}, scale {r.PredictionScale}"));
        foreach (double t in settings.Times)
        {
            var narrow = report.Rows.Single(r => r.Width == 8 && r.Time == t);
            var wide = report.Rows.Single(r => r.Width == 512 && r.Time == t);
            Assert.True(wide.PerSeedGap < 0.5 * narrow.PerSeedGap, $"τ = {t}: gap {wide.PerSeedGap} at width 512, {narrow.PerSeedGap} at width 8");
        }

        Assert.Contains("| 512 |", report.ToMarkdown(), StringComparison.Ordinal);
        Assert.Equal(5, report.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(report.Slopes, s => Assert.True(s.PerSeed < 0));
    }

    [Fact]
    public void BadOptions_AreOneLineErrors()
    {
        var output = new StringWriter();
        int exit = PerfProgram.Run(["training", "--widths", "0"], output, output);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --widths", output.ToString(), StringComparison.Ordinal);
        output = new StringWriter();
        Assert.Equal(2, PerfProgram.Run(["training", "--times", "10,1"], output, output));
        Assert.Contains("increasing", output.ToString(), StringComparison.Ordinal);
        output = new StringWriter();
        Assert.Equal(2, PerfProgram.Run(["training", "--from-json", "/nonexistent/report.json", "--plot", "x.png"], output, output));
        Assert.StartsWith("error: --from-json", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Report_ReadsBackFromItsJson_AndDrawsItsPlot()
    {
        using var directory = new TempDirectory();
        var settings = new TrainingSettings { TrainSize = 8, TestSize = 4, Widths = [4, 16], Seeds = 1, Times = [1] };
        var report = TrainingCheck.Run(settings, TextWriter.Null);
        var copy = TrainingReport.FromJson(report.ToJson());
        Assert.Equal(report.Rows, copy.Rows);
        string plot = Path.Combine(directory.Path, "gap.png");
        copy.WritePlot(plot);
        Assert.True(new FileInfo(plot).Length > 1000);
    }
}
