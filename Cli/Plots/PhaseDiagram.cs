using System.Globalization;
using GpuNngp.Experiments.Selection;
using ScottPlot;

namespace GpuNngp.Cli.Plots;

/// <summary>
/// A score over the (σw², σb²) plane as a heat map — test accuracy of a hyper-parameter search, or
/// log₁₀ χ₁ — with the order-to-chaos boundary χ₁ = 1 drawn over it, as in the NNGP paper's figures.
/// Reusable: the caller supplies the grid, the scores and the boundary.
/// </summary>
internal static class PhaseDiagram
{
    public const int Width = 760;
    public const int Height = 580;

    /// <summary>What to draw besides the scores.</summary>
    /// <param name="Title">The plot's title.</param>
    /// <param name="ScoreLabel">The colour bar's label, e.g. "test accuracy".</param>
    /// <param name="Diverging">True for scores centred on 0 (e.g. log₁₀ χ₁): a diverging colour map, symmetric range.</param>
    /// <param name="Best">A point to mark (e.g. the best setting found), or null.</param>
    /// <param name="BestLabel">The legend text of that mark.</param>
    /// <param name="ScoreRange">The colour scale's range (scores beyond it saturate), or null for the scores' own range.</param>
    public sealed record Options(
        string Title,
        string ScoreLabel,
        bool Diverging = false,
        (double WeightVariance, double BiasVariance)? Best = null,
        string BestLabel = "best",
        (double Low, double High)? ScoreRange = null);

    /// <summary>True when <paramref name="values"/> can be a heat map's axis: at least two, increasing, equally spaced.</summary>
    public static bool IsEquallySpaced(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        try
        {
            Spacing(values, "axis");
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Renders the diagram to a PNG at <paramref name="path"/>.</summary>
    /// <param name="scores">Indexed [bias, weight]: row i is σb² = <paramref name="biasVariances"/>[i]; NaN cells are left blank.</param>
    public static void Render(
        string path,
        IReadOnlyList<double> weightVariances,
        IReadOnlyList<double> biasVariances,
        double[,] scores,
        IReadOnlyList<BoundaryPoint> boundary,
        Options options) =>
        PlotFile.SavePng(Create(weightVariances, biasVariances, scores, boundary, options), path, Width, Height);

    /// <summary>The plot itself (separate from the file, for tests).</summary>
    public static Plot Create(
        IReadOnlyList<double> weightVariances,
        IReadOnlyList<double> biasVariances,
        double[,] scores,
        IReadOnlyList<BoundaryPoint> boundary,
        Options options)
    {
        ArgumentNullException.ThrowIfNull(weightVariances);
        ArgumentNullException.ThrowIfNull(biasVariances);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(boundary);
        ArgumentNullException.ThrowIfNull(options);
        if (scores.GetLength(0) != biasVariances.Count || scores.GetLength(1) != weightVariances.Count)
        {
            throw new ArgumentException(
                $"scores are {scores.GetLength(0)}×{scores.GetLength(1)} but the grid is {biasVariances.Count} σb² × {weightVariances.Count} σw²");
        }

        double dw = Spacing(weightVariances, "σw²");
        double db = Spacing(biasVariances, "σb²");
        double left = weightVariances[0] - dw / 2, right = weightVariances[^1] + dw / 2;
        double bottom = biasVariances[0] - db / 2, top = biasVariances[^1] + db / 2;

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(scores);
        heatmap.Extent = new CoordinateRect(left, right, bottom, top);
        heatmap.FlipVertically = true; // row 0 (the smallest σb²) at the bottom
        heatmap.NaNCellColor = Colors.Transparent;
        if (options.Diverging)
        {
            double extreme = 0;
            foreach (double s in scores)
            {
                if (double.IsFinite(s))
                {
                    extreme = Math.Max(extreme, Math.Abs(s));
                }
            }

            // Half the largest magnitude: the far ordered corner saturates, and the values near the
            // boundary, where the interest is, get the colour range.
            double half = Math.Max(0.5 * extreme, 1e-12);
            heatmap.Colormap = new ScottPlot.Colormaps.Balance();
            heatmap.ManualRange = new ScottPlot.Range(-half, half);
        }
        else
        {
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            if (options.ScoreRange is { } range)
            {
                heatmap.ManualRange = new ScottPlot.Range(range.Low, range.High);
            }
        }

        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = options.ScoreLabel;
        colorBar.LabelStyle.FontSize = 13;

        var found = boundary.Where(p => p.Found && p.WeightVariance >= left && p.WeightVariance <= right).OrderBy(p => p.BiasVariance).ToArray();
        if (found.Length > 0)
        {
            var line = plot.Add.Scatter(found.Select(p => p.WeightVariance).ToArray(), found.Select(p => p.BiasVariance).ToArray());
            line.Color = options.Diverging ? Colors.Black : Colors.White;
            line.LineWidth = 2.5f;
            line.MarkerSize = 0;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = "χ₁ = 1 (order ← | → chaos)";
        }

        if (options.Best is { } best)
        {
            var mark = plot.Add.Marker(best.WeightVariance, best.BiasVariance);
            mark.MarkerShape = MarkerShape.OpenCircle;
            mark.MarkerSize = 14;
            mark.MarkerLineWidth = 2.5f;
            mark.Color = Colors.Red;
            mark.LegendText = options.BestLabel;
        }

        plot.Title(options.Title, 14);
        plot.XLabel("σw² (weight variance)", 13);
        plot.YLabel("σb² (bias variance)", 13);
        plot.Axes.SetLimits(left, right, bottom, top);
        plot.ShowLegend(Alignment.UpperRight);
        plot.Legend.BackgroundColor = Colors.White.WithAlpha(0.8);
        PlotFile.UseReadableFont(plot);
        return plot;
    }

    private static double Spacing(IReadOnlyList<double> values, string name)
    {
        if (values.Count < 2)
        {
            throw new ArgumentException($"the {name} grid needs at least 2 values");
        }

        double step = (values[^1] - values[0]) / (values.Count - 1);
        for (int i = 1; i < values.Count; i++)
        {
            if (!(step > 0) || Math.Abs(values[i] - values[i - 1] - step) > 1e-9 * Math.Max(1, Math.Abs(step)))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the {name} grid must be increasing and equally spaced"));
            }
        }

        return step;
    }
}
