using System.Globalization;
using GpuNngp.Experiments.Selection;

namespace GpuNngp.Cli.Plots;

/// <summary>
/// The paper's phase diagrams from a search: for each depth (and noise value), validation accuracy
/// and log marginal likelihood over (σw², σb²), with the order-to-chaos boundary χ₁ = 1 drawn over
/// them and the slice's best point marked.
/// </summary>
internal static class SearchPlots
{
    /// <summary>Writes two PNGs per (depth, noise) slice into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(string directory, SearchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var grid = report.Settings.Grid;
        var propagation = SignalPropagation.For(report.Settings.Activation);
        var biases = grid.BiasVariances;
        var boundary = propagation.Boundary(SignalPropagation.Linspace(biases[0], biases[^1], 4 * (biases.Count - 1) + 1));
        var byPoint = report.Results.ToDictionary(r => r.Point);
        var c = CultureInfo.InvariantCulture;
        var written = new List<string>();
        foreach (int depth in grid.Depths)
        {
            foreach (double noise in grid.Noises)
            {
                var slice = new SearchResult[biases.Count, grid.WeightVariances.Count];
                for (int b = 0; b < biases.Count; b++)
                {
                    for (int w = 0; w < grid.WeightVariances.Count; w++)
                    {
                        slice[b, w] = byPoint[new SearchPoint(depth, grid.WeightVariances[w], biases[b], noise)];
                    }
                }

                string name = grid.Noises.Count == 1 ? $"depth-{depth}" : string.Create(c, $"depth-{depth}-noise-{noise:G3}");
                string setting = string.Create(c, $"{propagation.Name} GP-{depth}, N = {report.FitSize}, noise {noise:G3}");
                var cells = slice.Cast<SearchResult>().ToArray();
                written.Add(Render(Path.Combine(directory, name + "-accuracy.png"), grid, slice, r => r.ValidationAccuracy,
                    HyperparameterSearch.BestByAccuracy(cells), $"Validation accuracy — {setting}",
                    $"accuracy on {report.Settings.ValidationSize} held-out examples (lowest quarter saturates)", boundary));

                // log p(Y) spans orders of magnitude across the plane (−10⁸ in the collapsed ordered
                // corner, +10³ near the best): drawn as decades behind the slice's best, per example.
                var bestLikelihood = HyperparameterSearch.BestByLikelihood(cells);
                double top = bestLikelihood?.LogMarginalLikelihood ?? 0;
                written.Add(Render(Path.Combine(directory, name + "-likelihood.png"), grid, slice,
                    r => -Math.Log10(1 + (top - r.LogMarginalLikelihood) / report.FitSize),
                    bestLikelihood, $"Log marginal likelihood — {setting}",
                    "−log₁₀(1 + Δ/N), Δ: log p(Y) behind the best", boundary, saturate: false));
            }
        }

        return written;
    }

    /// <summary>
    /// The colour scale spans the upper three quarters of the slice's scores: the collapsed corners
    /// of the ordered phase would otherwise take the whole scale and flatten the region of interest.
    /// </summary>
    private const double SaturatedFraction = 0.25;

    private static string Render(
        string path,
        SearchGrid grid,
        SearchResult[,] slice,
        Func<SearchResult, double> score,
        SearchResult? best,
        string title,
        string label,
        IReadOnlyList<BoundaryPoint> boundary,
        bool saturate = true)
    {
        int rows = slice.GetLength(0), columns = slice.GetLength(1);
        var values = new double[rows, columns];
        for (int b = 0; b < rows; b++)
        {
            for (int w = 0; w < columns; w++)
            {
                values[b, w] = slice[b, w].Succeeded ? score(slice[b, w]) : double.NaN;
            }
        }

        (double, double)? range = null;
        var finite = values.Cast<double>().Where(double.IsFinite).Order().ToArray();
        if (saturate && finite.Length > 1)
        {
            double low = finite[(int)(SaturatedFraction * (finite.Length - 1))];
            range = low < finite[^1] ? (low, finite[^1]) : null;
        }

        PhaseDiagram.Render(path, grid.WeightVariances, grid.BiasVariances, values, boundary, new PhaseDiagram.Options(
            title, label,
            Best: best is null ? null : (best.Point.WeightVariance, best.Point.BiasVariance),
            BestLabel: best is null ? "best" : string.Create(CultureInfo.InvariantCulture, $"best: σw² {best.Point.WeightVariance:G3}, σb² {best.Point.BiasVariance:G3}"),
            ScoreRange: range));
        return path;
    }
}
