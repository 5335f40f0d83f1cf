using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace GpuNngp.Perf;

/// <summary>
/// PNG plots with ScottPlot 5. ScottPlot 5 has no logarithmic axis: the data are plotted as log10
/// values and the ticks are placed and labelled by hand (its documented recipe for log scales).
/// </summary>
public static class Plots
{
    public const int Width = 1000;
    public const int Height = 650;

    /// <summary>The embedded DejaVu Sans, registered once: headless machines often have no system font at all.</summary>
    private static readonly Lazy<string> FontName = new(RegisterFont);

    /// <summary>Writes time-vs-N per backend and, with both backends, the speed-up; returns the file names.</summary>
    public static IReadOnlyList<string> Write(BenchmarkReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        var files = new List<string>();
        foreach (var group in report.Runs.Where(r => r.Sweep == "n").GroupBy(r => r.Backend))
        {
            var runs = group.OrderBy(r => r.N).ToArray();
            if (runs.Length < 2)
            {
                continue;
            }

            string file = $"time-vs-n-{group.Key}.png";
            TimeAgainstN(report, group.Key, runs).SavePng(Path.Combine(directory, file), Width, Height);
            files.Add(file);
        }

        if (report.Speedups.Count >= 1)
        {
            const string file = "speedup-vs-n.png";
            Speedup(report).SavePng(Path.Combine(directory, file), Width, Height);
            files.Add(file);
        }

        return files;
    }

    internal static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(FontName.Value);
        return plot;
    }

    private static string RegisterFont()
    {
        const string name = "GpuNngp DejaVu Sans";
        string directory = Path.Combine(Path.GetTempPath(), "gpunngp-perf-fonts");
        Directory.CreateDirectory(directory);
        Fonts.AddFontFile(name, Extract(directory, "DejaVuSans.ttf"), bold: false, italic: false);
        Fonts.AddFontFile(name, Extract(directory, "DejaVuSans-Bold.ttf"), bold: true, italic: false);
        return name;
    }

    private static string Extract(string directory, string file)
    {
        using var resource = typeof(Plots).Assembly.GetManifestResourceStream("GpuNngp.Perf." + file)
            ?? throw new InvalidOperationException($"the embedded font {file} is missing");
        string path = Path.Combine(directory, file);
        if (File.Exists(path) && new FileInfo(path).Length == resource.Length)
        {
            return path;
        }

        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        using (var output = File.Create(temporary))
        {
            resource.CopyTo(output);
        }

        File.Move(temporary, path, overwrite: true);
        return path;
    }

    private static Plot TimeAgainstN(BenchmarkReport report, string backend, IReadOnlyList<RunResult> runs)
    {
        var plot = NewPlot();
        var palette = new ScottPlot.Palettes.Category10();
        var names = Harness.StageNames.Where(s => runs.All(r => r.Stages.ContainsKey(s))).Append(Harness.EndToEndName).ToArray();
        var xs = runs.Select(r => Math.Log10(r.N)).ToArray();
        var allY = new List<double>();
        var labels = new List<(string Text, double Y, Color Color)>();
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i];
            var ys = runs.Select(r => Harness.SeriesTime(r, name)).ToArray();
            if (ys.Any(y => y <= 0))
            {
                continue;
            }

            var logY = ys.Select(Math.Log10).ToArray();
            allY.AddRange(logY);
            var fit = report.Scaling.FirstOrDefault(f => f.Backend == backend && f.Stage == name);
            string exponent = Exponent(fit);
            bool endToEnd = name == Harness.EndToEndName;
            var color = endToEnd ? Colors.Black : palette.GetColor(i);
            var line = plot.Add.Scatter(xs, logY, color);
            line.LineWidth = endToEnd ? 3 : 2;
            line.MarkerSize = 7;
            if (endToEnd)
            {
                line.LinePattern = LinePattern.Dashed;
            }

            labels.Add(($"{name} {exponent}", logY[^1], color));
        }

        AddEndLabels(plot, xs[^1], labels, (allY.Max() - allY.Min() + 0.2) / 28);
        string scope = report.Quick ? $"exponents over N ≥ {report.Settings.FitMinN:N0} (--quick)" : $"exponents over N ≥ {report.Settings.FitMinN:N0}";
        var shape = runs[0];
        string device = backend == "gpu"
            ? report.Gpu?.NvmlName ?? ShortName(report.Gpu?.BackendName ?? "GPU")
            : ShortName(report.Backends.FirstOrDefault(b => b.Key == backend)?.Name ?? backend);
        plot.Title($"{device}: time per stage against N (M = {shape.M:N0}, d = {shape.D}, depth {shape.Depth} {shape.Activation}); {scope}", 13);
        plot.XLabel("training points N (log scale)");
        plot.YLabel("seconds, median (log scale)");
        plot.Axes.Bottom.TickGenerator = NTicks(runs.Select(r => r.N));
        plot.Axes.Left.TickGenerator = LogTicks(allY.Min(), allY.Max(), "s");
        double span = xs[^1] - xs[0];
        plot.Axes.SetLimitsX(xs[0] - 0.05 * span, xs[^1] + 0.45 * span);
        plot.Axes.SetLimitsY(allY.Min() - 0.1, allY.Max() + 0.1);
        return plot;
    }

    private static Plot Speedup(BenchmarkReport report)
    {
        var plot = NewPlot();
        var palette = new ScottPlot.Palettes.Category10();
        var points = report.Speedups.OrderBy(p => p.N).ToArray();
        var xs = points.Select(p => Math.Log10(p.N)).ToArray();
        string[] names = [Harness.EndToEndName, Harness.KernelAggregate, "factorisation", "solve", "test-kernel", "variance"];
        var allY = new List<double>();
        var labels = new List<(string Text, double Y, Color Color)>();
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i];
            var ys = points.Select(p => name == Harness.EndToEndName ? p.EndToEnd : p.Stages.GetValueOrDefault(name)).ToArray();
            if (ys.Any(y => y <= 0))
            {
                continue;
            }

            var logY = ys.Select(Math.Log10).ToArray();
            allY.AddRange(logY);
            bool endToEnd = name == Harness.EndToEndName;
            var color = endToEnd ? Colors.Black : palette.GetColor(i);
            var line = plot.Add.Scatter(xs, logY, color);
            line.LineWidth = endToEnd ? 3 : 2;
            line.MarkerSize = 7;
            labels.Add((string.Create(CultureInfo.InvariantCulture, $"{name} {ys[^1]:G3}×"), logY[^1], color));
        }

        AddEndLabels(plot, xs[^1], labels, (allY.Max() - allY.Min() + 0.2) / 28);

        allY.Add(0);
        var unity = plot.Add.HorizontalLine(0);
        unity.LineColor = Colors.Gray;
        unity.LinePattern = LinePattern.Dotted;
        string gpu = report.Gpu?.NvmlName ?? ShortName(report.Gpu?.BackendName ?? "GPU");
        string cpu = ShortName(report.Backends.FirstOrDefault(b => b.Key == "cpu")?.Name ?? "CPU");
        plot.Title($"speed-up of the {gpu} over the {cpu}: CPU time / GPU time", 13);
        plot.XLabel("training points N (log scale)");
        plot.YLabel("speed-up (log scale)");
        plot.Axes.Bottom.TickGenerator = NTicks(points.Select(p => p.N));
        plot.Axes.Left.TickGenerator = LogTicks(allY.Min(), allY.Max(), "×");
        double span = Math.Max(xs[^1] - xs[0], 0.3);
        plot.Axes.SetLimitsX(xs[0] - 0.05 * span, xs[^1] + 0.45 * span);
        plot.Axes.SetLimitsY(allY.Min() - 0.1, allY.Max() + 0.1);
        return plot;
    }

    /// <summary>Labels beside the lines' last points, moved apart vertically so that none overlaps another.</summary>
    private static void AddEndLabels(Plot plot, double x, List<(string Text, double Y, Color Color)> labels, double spacing)
    {
        var placed = labels.OrderBy(l => l.Y).ToList();
        var positions = placed.Select(l => l.Y).ToArray();
        for (int i = 1; i < positions.Length; i++)
        {
            positions[i] = Math.Max(positions[i], positions[i - 1] + spacing);
        }

        // Centre the block on the original positions' mean so it does not drift upwards.
        double shift = (placed.Average(l => l.Y) - positions.Average()) / 2;
        for (int i = 0; i < placed.Count; i++)
        {
            var label = plot.Add.Text(placed[i].Text, x, positions[i] + shift);
            label.LabelFontSize = 12;
            label.LabelFontColor = placed[i].Color;
            label.LabelAlignment = Alignment.MiddleLeft;
            label.LabelOffsetX = 10;
        }
    }

    /// <summary>"GPU NVIDIA H100 80GB HBM3 (CC 9.0, ...)" → "NVIDIA H100 80GB HBM3"; "CPU (2 threads, OpenBLAS ...)" → "CPU (2 threads)".</summary>
    private static string ShortName(string name)
    {
        if (name.StartsWith("CPU (", StringComparison.Ordinal))
        {
            int comma = name.IndexOf(',', StringComparison.Ordinal);
            return comma > 0 ? name[..comma] + ")" : name;
        }

        int parenthesis = name.IndexOf(" (", StringComparison.Ordinal);
        string shortName = parenthesis > 0 ? name[..parenthesis] : name;
        return shortName.StartsWith("GPU ", StringComparison.Ordinal) ? shortName[4..] : shortName;
    }

    private static string Exponent(ScalingFit? fit) => fit switch
    {
        { Exponent: { } p } => string.Create(CultureInfo.InvariantCulture, $"∝ N^{p:F2}"),
        { ExponentAllN: { } p } => string.Create(CultureInfo.InvariantCulture, $"∝ N^{p:F2} (all N)"),
        _ => "",
    };

    /// <summary>Major ticks at the measured N, labelled 1k, 2k, 64k.</summary>
    internal static NumericManual NTicks(IEnumerable<int> sizes)
    {
        var ticks = new NumericManual();
        foreach (int n in sizes.Distinct())
        {
            string label = n >= 1000 && n % 1000 == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{n / 1000}k")
                : n >= 1000 ? string.Create(CultureInfo.InvariantCulture, $"{n / 1000.0:0.#}k") : n.ToString(CultureInfo.InvariantCulture);
            ticks.AddMajor(Math.Log10(n), label);
        }

        return ticks;
    }

    /// <summary>Major ticks at 1, 2, 5 × 10^k within [log10 low, log10 high], minor ticks at the other integers × 10^k.</summary>
    internal static NumericManual LogTicks(double low, double high, string unit)
    {
        var ticks = new NumericManual();
        for (int exponent = (int)Math.Floor(low) - 1; exponent <= (int)Math.Ceiling(high) + 1; exponent++)
        {
            for (int mantissa = 1; mantissa <= 9; mantissa++)
            {
                double position = exponent + Math.Log10(mantissa);
                if (position < low - 0.12 || position > high + 0.12)
                {
                    continue;
                }

                if (mantissa is 1 or 2 or 5)
                {
                    double value = mantissa * Math.Pow(10, exponent);
                    ticks.AddMajor(position, string.Create(CultureInfo.InvariantCulture, $"{value:G4} {unit}"));
                }
                else
                {
                    ticks.AddMinor(position);
                }
            }
        }

        return ticks;
    }
}
