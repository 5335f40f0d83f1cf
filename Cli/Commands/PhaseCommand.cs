using System.CommandLine;
using System.Globalization;
using GpuNngp.Cli.Output;
using GpuNngp.Cli.Plots;
using GpuNngp.Experiments.Selection;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>
/// `nngp phase`: the order-to-chaos boundary χ₁ = 1 of an activation over the paper's (σw², σb²)
/// grid, printed, and optionally drawn over a heat map of log₁₀ χ₁.
/// </summary>
internal static class PhaseCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var activation = new Option<string>("--activation") { Description = $"one of: {string.Join(", ", Nngp.ActivationNames)}", DefaultValueFactory = _ => "tanh" };
        var grid = new Option<int>("--grid") { Description = "grid points per axis (the paper: 30)", DefaultValueFactory = _ => 30 };
        var weightMin = new Option<double>("--weight-var-min") { Description = "smallest σw² of the grid", DefaultValueFactory = _ => 0.1 };
        var weightMax = new Option<double>("--weight-var-max") { Description = "largest σw² of the grid", DefaultValueFactory = _ => 5 };
        var biasMax = new Option<double>("--bias-var-max") { Description = "largest σb² of the grid (the smallest is 0)", DefaultValueFactory = _ => 2 };
        var png = new Option<FileInfo?>("--png") { Description = "draw log₁₀ χ₁ over the grid with the boundary to this PNG" };
        var json = new Option<FileInfo?>("--json") { Description = "write the boundary and the χ₁ grid as JSON to this file" };
        var command = new Command("phase", "The order-to-chaos phase boundary χ₁ = 1 (signal propagation) over the (σw², σb²) plane.")
        {
            activation, grid, weightMin, weightMax, biasMax, png, json,
        };
        command.SetAction(parsed =>
        {
            int points = parsed.GetValue(grid);
            double wMin = parsed.GetValue(weightMin), wMax = parsed.GetValue(weightMax), bMax = parsed.GetValue(biasMax);
            if (points < 2 || points > 400)
            {
                throw new NngpInputException($"--grid must be between 2 and 400, got {points}");
            }

            if (!(wMin >= 0) || !(wMax > wMin) || !(bMax > 0) || !double.IsFinite(wMax) || !double.IsFinite(bMax))
            {
                throw new NngpInputException("the grid needs 0 ≤ --weight-var-min < --weight-var-max and --bias-var-max > 0, all finite");
            }

            new OutputFiles().Output("--png", parsed.GetValue(png)?.FullName).Output("--json", parsed.GetValue(json)?.FullName).Check();
            string name = parsed.GetValue(activation) ?? "tanh";
            var propagation = SignalPropagation.For(name);
            double[] weights = SignalPropagation.Linspace(wMin, wMax, points);
            double[] biases = SignalPropagation.Linspace(0, bMax, points);
            var boundary = propagation.Boundary(SignalPropagation.Linspace(0, bMax, 2 * points + 1));
            double[,] chi = propagation.ChiGrid(weights, biases);

            var c = CultureInfo.InvariantCulture;
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn(new TableColumn("σb²").RightAligned())
                .AddColumn(new TableColumn("σw² at χ₁ = 1").RightAligned())
                .AddColumn(new TableColumn("q*").RightAligned())
                .AddColumn("note");
            for (int i = 0; i < boundary.Count; i += Math.Max(1, (boundary.Count - 1) / 10))
            {
                var p = boundary[i];
                table.AddRow(
                    p.BiasVariance.ToString("F3", c),
                    p.Found ? p.WeightVariance.ToString("F6", c) : "—",
                    p.Found ? p.FixedPoint.Variance.ToString("G6", c) : "—",
                    Markup.Escape(p.Note ?? ""));
            }

            console.WriteLine($"activation:   {propagation.Name}; order (χ₁ < 1) left of the boundary, chaos (χ₁ > 1) right of it");
            console.Write(table);

            if (png.GetValue(parsed) is { } pngFile)
            {
                var logChi = new double[biases.Length, weights.Length];
                for (int b = 0; b < biases.Length; b++)
                {
                    for (int w = 0; w < weights.Length; w++)
                    {
                        logChi[b, w] = chi[b, w] > 0 ? Math.Log10(chi[b, w]) : double.NaN;
                    }
                }

                PhaseDiagram.Render(pngFile.FullName, weights, biases, logChi, boundary,
                    new PhaseDiagram.Options($"Signal propagation — {propagation.Name}", "log₁₀ χ₁", Diverging: true));
                console.WriteLine($"phase diagram written to {pngFile.FullName}");
            }

            if (parsed.GetValue(json) is { } jsonFile)
            {
                // JSON has no NaN or ∞: χ₁ where no fixed point exists, and q* = ∞, are written as null.
                static double? Finite(double v) => double.IsFinite(v) ? v : null;
                var rows = new double?[biases.Length][];
                for (int b = 0; b < biases.Length; b++)
                {
                    rows[b] = Enumerable.Range(0, weights.Length).Select(w => Finite(chi[b, w])).ToArray();
                }

                JsonReport.Write(jsonFile.FullName, new
                {
                    Activation = propagation.Name,
                    WeightVariances = weights,
                    BiasVariances = biases,
                    Chi = rows,
                    Boundary = boundary.Select(p => new
                    {
                        p.BiasVariance,
                        WeightVariance = Finite(p.WeightVariance),
                        FixedPoint = Finite(p.FixedPoint.Variance),
                        Converged = p.FixedPoint.Converged,
                        Chi = Finite(p.Chi),
                        p.Note,
                    }),
                });
                console.WriteLine($"report written to {jsonFile.FullName}");
            }

            return 0;
        });
        return command;
    }

    private static T? GetValue<T>(this Option<T> option, ParseResult parsed) => parsed.GetValue(option);
}
