using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace GpuNngp.Cli.Plots;

/// <summary>One curve of the training-curve picture: a quantity against t, its t = ∞ limit and the Bayesian posterior's value.</summary>
internal sealed record TrainingCurve(string Name, double[] Values, double AtInfinity, double Posterior, bool Accuracy);

/// <summary>
/// Training and test loss (left axis) and accuracy (right axis) of the gradient-descent ensemble's mean
/// against the training time t on a log axis; the t = ∞ limit of each curve dashed, the Bayesian
/// posterior's value dotted, both drawn across the plot.
/// </summary>
internal static class TrainingCurvePlot
{
    public const int Width = 900;
    public const int Height = 760;

    public static void Render(string path, double[] times, IReadOnlyList<TrainingCurve> curves, string subtitle) =>
        PlotFile.SavePng(Create(times, curves, subtitle), path, Width, Height);

    public static Plot Create(double[] times, IReadOnlyList<TrainingCurve> curves, string subtitle)
    {
        var c = CultureInfo.InvariantCulture;
        var finite = times.Select((t, i) => (t, i)).Where(p => p.t > 0 && double.IsFinite(p.t)).ToArray();
        if (finite.Length == 0)
        {
            throw new ArgumentException("the picture needs at least one finite time t > 0", nameof(times));
        }

        double[] x = finite.Select(p => Math.Log10(p.t)).ToArray();
        var plot = new Plot();
        Color[] palette = [Colors.C0, Colors.C1, Colors.C2, Colors.C3];
        for (int k = 0; k < curves.Count; k++)
        {
            var curve = curves[k];
            Color color = palette[k % palette.Length];
            var line = plot.Add.Scatter(x, finite.Select(p => curve.Values[p.i]).ToArray());
            line.Color = color;
            line.LineWidth = 2;
            line.MarkerSize = 4;
            line.LegendText = string.Create(c, $"{curve.Name} (t = ∞: {curve.AtInfinity:G4}; posterior: {curve.Posterior:G4})");
            var limit = plot.Add.HorizontalLine(curve.AtInfinity);
            limit.LineColor = color;
            limit.LinePattern = LinePattern.Dashed;
            limit.LineWidth = 1;
            limit.LegendText = k == 0 ? "dashed: each curve's t = ∞ limit" : "";
            var posterior = plot.Add.HorizontalLine(curve.Posterior);
            posterior.LineColor = color.WithAlpha(0.6);
            posterior.LinePattern = LinePattern.Dotted;
            posterior.LineWidth = 2;
            posterior.LegendText = k == 0 ? "dotted: the Bayesian posterior's value" : "";
            if (curve.Accuracy)
            {
                line.Axes.YAxis = plot.Axes.Right;
                limit.Axes.YAxis = plot.Axes.Right;
                posterior.Axes.YAxis = plot.Axes.Right;
            }
        }

        plot.Title(string.Create(c, $"Gradient descent of the infinite ensemble — {subtitle}"), 14);
        plot.XLabel("training time t (log scale)", 13);
        plot.Axes.Left.Label.Text = "loss of the mean, 1/(2nC)·Σ(f − y)²";
        plot.Axes.Right.Label.Text = "accuracy of the mean";
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            LabelFormatter = v => Math.Pow(10, v).ToString("G2", CultureInfo.InvariantCulture),
        };
        plot.ShowLegend(Edge.Bottom);
        PlotFile.UseReadableFont(plot);
        return plot;
    }
}
