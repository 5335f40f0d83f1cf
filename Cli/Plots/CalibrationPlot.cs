using System.Globalization;
using GpuNngp.Experiments.Evaluation;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace GpuNngp.Cli.Plots;

/// <summary>
/// The paper's uncertainty figure: for equal-count bins of test points by predicted variance, the
/// realised mean squared error of the posterior mean against the bin's mean predicted variance, on
/// log–log axes, with the line a calibrated GP would follow (MSE per output = variance + σε²) and the
/// same line rescaled by the ratio of mean squared error to mean predicted variance (an NNGP's
/// variances are in the units of its prior, whose amplitude is not fit to the targets, so they can be
/// well ordered yet off in scale).
/// </summary>
internal static class CalibrationPlot
{
    public const int Width = 760;
    public const int Height = 560;

    /// <summary>Renders <paramref name="calibration"/> to a PNG at <paramref name="path"/>.</summary>
    /// <param name="subtitle">What was evaluated, e.g. the data set and the network.</param>
    public static void Render(string path, CalibrationResult calibration, string subtitle)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        PlotFile.SavePng(Create(calibration, subtitle), path, Width, Height);
    }

    /// <summary>The plot itself (separate from the file, for tests).</summary>
    public static Plot Create(CalibrationResult calibration, string subtitle)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        var c = CultureInfo.InvariantCulture;
        var bins = calibration.Bins.Where(b => b.MeanVariance > 0 && b.MeanSquaredError > 0).ToArray();
        if (bins.Length == 0)
        {
            throw new ArgumentException("no bin has a positive predicted variance and error: nothing to draw on log axes", nameof(calibration));
        }

        double[] x = bins.Select(b => Math.Log10(b.MeanVariance)).ToArray();
        double[] y = bins.Select(b => Math.Log10(b.MeanSquaredError)).ToArray();
        double scale = calibration.Bins.Sum(b => b.Count * b.MeanSquaredError) / calibration.Bins.Sum(b => b.Count * b.MeanVariance);

        // x spans the bins; y spans the bins and the calibrated line over that x range.
        double xLow = x.Min(), xHigh = x.Max();
        double xPad = Math.Max(0.08 * (xHigh - xLow), 0.05);
        xLow -= xPad;
        xHigh += xPad;
        double lineLow = Math.Log10(Math.Pow(10, xLow) + calibration.Noise);
        double lineHigh = Math.Log10(Math.Pow(10, xHigh) + calibration.Noise);
        double yLow = Math.Min(y.Min(), lineLow), yHigh = Math.Max(y.Max(), lineHigh);
        double yPad = Math.Max(0.06 * (yHigh - yLow), 0.05);
        yLow -= yPad;
        yHigh += yPad;

        var plot = new Plot();
        var calibrated = plot.Add.Line(xLow, lineLow, xHigh, lineHigh);
        calibrated.LineColor = Colors.Gray;
        calibrated.LinePattern = LinePattern.Dashed;
        calibrated.LineWidth = 1.5f;
        calibrated.LegendText = "calibrated: MSE = variance + σε²";

        if (double.IsFinite(scale) && scale > 0)
        {
            double shift = Math.Log10(scale);
            var scaled = plot.Add.Line(xLow, xLow + shift, xHigh, xHigh + shift);
            scaled.LineColor = Colors.C1;
            scaled.LinePattern = LinePattern.Dotted;
            scaled.LineWidth = 2f;
            scaled.LegendText = string.Create(c, $"calibrated up to scale: MSE = {scale:G3} × variance");
        }

        var points = plot.Add.Scatter(x, y);
        points.Color = Colors.C0;
        points.LineWidth = 2;
        points.MarkerSize = 9;
        points.LegendText = string.Create(c, $"{calibration.Bins.Count} equal-count bins of test points by predicted variance");

        plot.Title(string.Create(c, $"Uncertainty calibration — {subtitle}"), 14);
        plot.XLabel("mean predicted variance of the bin", 13);
        plot.YLabel(string.Create(c, $"realised MSE of the mean (average over {calibration.Outputs} outputs)"), 13);
        plot.Axes.Bottom.TickGenerator = LogTicks();
        plot.Axes.Left.TickGenerator = LogTicks();
        plot.Axes.SetLimits(xLow, xHigh, yLow, yHigh);

        var note = plot.Add.Annotation(string.Create(c,
            $"per test point (n = {calibration.Points}): Pearson r = {calibration.Pearson:F3}, Spearman ρ = {calibration.Spearman:F3}"),
            Alignment.LowerRight);
        note.LabelFontSize = 12;
        note.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
        note.LabelBorderColor = Colors.Gray;
        plot.ShowLegend(Alignment.UpperLeft);
        PlotFile.UseReadableFont(plot);
        return plot;
    }

    /// <summary>Ticks for log₁₀-transformed data, labelled with the values themselves.</summary>
    private static NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new LogMinorTickGenerator(),
        LabelFormatter = v => Math.Pow(10, v).ToString("G2", CultureInfo.InvariantCulture),
    };
}
