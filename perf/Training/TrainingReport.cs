using System.Globalization;
using System.Text;
using System.Text.Json;
using ScottPlot;

namespace GpuNngp.Perf.Training;

/// <summary>
/// One width at one time: the RMS (over test points and classes) gaps between trained networks and
/// the infinite-width prediction. PerSeedGap: each network against the prediction from its own
/// initial function f₀ (f₀(x*) + Θ_*D A(t)(Y − f₀(D)), DESIGN §8 before the ensemble average);
/// EnsembleGap: the seeds' mean output against mean(t), with EnsembleNoise its Monte Carlo standard
/// error from the seeds' spread; CentredEnsembleGap: the seeds' mean of the per-seed residuals.
/// PredictionScale is RMS mean(t); PredictedMovement the RMS of Θ_*D A(t)(Y − f₀(D)) over the seeds,
/// how far the infinite-width prediction moves each network's outputs (the per-seed gap's yardstick).
/// </summary>
public sealed record TrainingRow(
    int Width, double Time, double PerSeedGap, double EnsembleGap, double EnsembleNoise, double CentredEnsembleGap,
    double PredictionScale, double PredictedMovement, double DiscretisationFloor, double TrainingLoss, double SecondsPerSeed);

/// <summary>The fitted log-log slopes of the gaps against width at one time (−0.5 is 1/√width).</summary>
public sealed record TrainingSlope(double Time, double PerSeed, double Ensemble, double CentredEnsemble);

/// <summary>The whole measurement, written as JSON, CSV, a Markdown table and a PNG.</summary>
public sealed record TrainingReport(
    TrainingSettings Settings, string Date, string Machine, double LambdaMax, double LambdaMin, double LearningRate, int Steps,
    IReadOnlyList<TrainingRow> Rows, IReadOnlyList<TrainingSlope> Slopes)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToCsv()
    {
        var text = new StringBuilder("width,time,per_seed_gap,ensemble_gap,ensemble_noise,centred_ensemble_gap,prediction_scale,predicted_movement,discretisation_floor,training_loss,seconds_per_seed\n");
        foreach (var r in Rows)
        {
            text.AppendLine(string.Join(',', new object[]
            {
                r.Width, r.Time, r.PerSeedGap, r.EnsembleGap, r.EnsembleNoise, r.CentredEnsembleGap,
                r.PredictionScale, r.PredictedMovement, r.DiscretisationFloor, r.TrainingLoss, r.SecondsPerSeed,
            }.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
        }

        return text.ToString();
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| width | τ | per-seed gap | ensemble gap | ± MC s.e. | centred ensemble gap | RMS mean(τ) | RMS predicted movement | discretisation | training loss |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in Rows.OrderBy(r => r.Time).ThenBy(r => r.Width))
        {
            text.AppendLine(FormattableString.Invariant(
                $"| {r.Width} | {r.Time:G4} | {r.PerSeedGap:E2} | {r.EnsembleGap:E2} | {r.EnsembleNoise:E2} | {r.CentredEnsembleGap:E2} | {r.PredictionScale:E2} | {r.PredictedMovement:E2} | {r.DiscretisationFloor:E1} | {r.TrainingLoss:E2} |"));
        }

        text.AppendLine();
        text.AppendLine("| τ | slope per-seed | slope ensemble | slope centred ensemble |");
        text.AppendLine("|---:|---:|---:|---:|");
        foreach (var s in Slopes)
        {
            text.AppendLine(FormattableString.Invariant($"| {s.Time:G4} | {s.PerSeed:F2} | {s.Ensemble:F2} | {s.CentredEnsemble:F2} |"));
        }

        return text.ToString();
    }

    /// <summary>The report written by <see cref="ToJson"/>, read back (to draw its plot again).</summary>
    public static TrainingReport FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingReport>(json, Json) ?? throw new ArgumentException("the JSON holds no training report");

    /// <summary>
    /// Per-seed gap (solid) and centred ensemble gap (dashed) against width, log-log, one colour per
    /// time. The raw ensemble gap is left out: with a handful of seeds it is the Monte Carlo noise of
    /// the initial functions (see EnsembleNoise), the same at every width.
    /// </summary>
    public void WritePlot(string path)
    {
        var plot = Plots.NewPlot();
        var palette = new ScottPlot.Palettes.Category10();
        var widths = Rows.Select(r => r.Width).Distinct().OrderBy(w => w).ToArray();
        var xs = widths.Select(w => Math.Log10(w)).ToArray();
        var allY = new List<double>();
        int index = 0;
        foreach (var slope in Slopes)
        {
            var color = palette.GetColor(index++);
            var rows = widths.Select(w => Rows.Single(r => r.Width == w && r.Time == slope.Time)).ToArray();
            var perSeed = rows.Select(r => Math.Log10(r.PerSeedGap)).ToArray();
            var centred = rows.Select(r => Math.Log10(r.CentredEnsembleGap)).ToArray();
            allY.AddRange(perSeed);
            allY.AddRange(centred);
            var line = plot.Add.Scatter(xs, perSeed, color);
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.LegendText = FormattableString.Invariant($"τ = {slope.Time:G4}: each network, slope {slope.PerSeed:F2}");
            var dashed = plot.Add.Scatter(xs, centred, color);
            dashed.LinePattern = LinePattern.Dashed;
            dashed.MarkerShape = MarkerShape.OpenCircle;
            dashed.LegendText = FormattableString.Invariant($"τ = {slope.Time:G4}: mean of {Settings.Seeds} (centred), slope {slope.CentredEnsemble:F2}");
        }

        double top = allY.Max(), drop = 0.5 * (xs[^1] - xs[0]);
        var guide = plot.Add.Scatter(new[] { xs[0], xs[^1] }, new[] { top, top - drop }, Colors.Gray);
        guide.LinePattern = LinePattern.Dotted;
        guide.LegendText = "∝ 1/√width";
        allY.Add(top - drop);
        plot.Title(FormattableString.Invariant(
            $"trained ReLU networks (depth {Settings.Depth}, N = {Settings.TrainSize}, M = {Settings.TestSize}) against the infinite-width GD prediction"), 13);
        plot.XLabel("hidden width (log scale)");
        plot.YLabel("RMS gap of test outputs (log scale)");
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (int w in widths)
        {
            ticks.AddMajor(Math.Log10(w), w.ToString(CultureInfo.InvariantCulture));
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Left.TickGenerator = Plots.LogTicks(allY.Min(), allY.Max(), "");
        plot.ShowLegend(Alignment.LowerLeft);
        plot.SavePng(path, Plots.Width, Plots.Height);
    }
}
