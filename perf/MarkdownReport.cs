using System.Globalization;
using System.Text;

namespace GpuNngp.Perf;

/// <summary>The report as Markdown tables: what docs/benchmarks.md quotes.</summary>
public static class MarkdownReport
{
    private static readonly string[] SweepOrder = ["m", "d", "depth", "activation"];

    public static string Write(BenchmarkReport report, IReadOnlyList<string> plots)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(plots);
        var md = new StringBuilder();
        var s = report.Settings;
        Line(md, $"# GpuNngp throughput, {report.Date:yyyy-MM-dd HH:mm zzz}");
        md.AppendLine();
        Line(md, $"- Command: `dotnet run -c Release --project perf --{(report.Command.Length > 0 ? " " + report.Command : "")}`");
        Line(md, $"- Machine: {report.Machine.Description}; {report.Machine.Runtime}; load average {Load(report.Machine.LoadAverageStart)} at the start, {Load(report.Machine.LoadAverageEnd)} at the end");
        if (report.Gpu is { } gpu)
        {
            Line(md, $"- GPU: {gpu.BackendName}; driver {gpu.Driver ?? "unknown"}; peaks: {(gpu.Peaks is { } p ? $"{p.Card} (FP64 {p.Fp64Tflops} TFLOP/s, FP64 tensor {(p.Fp64TensorTflops is { } t ? t.ToString(CultureInfo.InvariantCulture) : "none")} TFLOP/s, {p.MemoryGBs} GB/s, {p.MemoryGB} GB)" : "card not in perf/gpu-peaks.json")}");
        }
        else
        {
            md.AppendLine("- GPU: none measured");
        }

        Line(md, $"- Data: {(SyntheticData.IsSynthetic(s.Dataset) ? $"synthetic (random standardised inputs, random labels; seed {s.Seed})" : s.Dataset)}, network depth {s.Depth} {s.Activation}, σw² = {s.WeightVariance}, σb² = {s.BiasVariance}, noise {s.Noise}, C = {s.Outputs} outputs, FP64; quadrature order {s.QuadratureOrder} for activations without a closed form");
        Line(md, $"- Each figure: the median of {s.Repeats} timed runs after {s.Warmups} discarded warm-up run(s); spread = (max − min) / median. End to end = wall clock around Fit + Predict.");
        Line(md, $"- Rates at the median time: Gram N²d, factorisation N³/3, solve 2N²C, test kernel 2NMd (its map included in the time), mean 2NMC, variance (trsm) N²M FLOP; layer map 16·N(N+1)/2 bytes; transfers their bytes.");
        md.AppendLine();

        foreach (var group in report.Runs.Where(r => r.Sweep == "n").GroupBy(r => r.Backend))
        {
            var backend = report.Backends.First(b => b.Key == group.Key);
            Line(md, $"## N sweep on the {group.Key.ToUpperInvariant()}: {backend.Name}");
            md.AppendLine();
            StageTable(md, group.OrderBy(r => r.N).ToArray(), r => r.N.ToString("N0", CultureInfo.InvariantCulture), "N", showShape: true);
        }

        var fits = report.Scaling.Where(f => f.Exponent is not null || f.ExponentAllN is not null).ToArray();
        if (fits.Length > 0)
        {
            Line(md, $"## Scaling exponents (t ∝ N^p, least squares on log–log over N ≥ {report.Settings.FitMinN:N0}{(report.Quick ? "; --quick: small N, informative only" : "")})");
            md.AppendLine();
            md.AppendLine("| backend | stage | p (N ≥ min) | R² | fitted N | p (all N) |");
            md.AppendLine("|---|---|---:|---:|---|---:|");
            foreach (var f in fits)
            {
                Line(md, $"| {f.Backend} | {f.Stage} | {Fixed(f.Exponent, 2)} | {Fixed(f.RSquared, 3)} | {string.Join(", ", f.FittedN)} | {Fixed(f.ExponentAllN, 2)} |");
            }

            md.AppendLine();
        }

        if (report.Speedups.Count > 0)
        {
            var names = report.Speedups.SelectMany(p => p.Stages.Keys).Distinct().ToArray();
            md.AppendLine("## GPU/CPU speed-up (CPU median time / GPU median time)");
            md.AppendLine();
            Line(md, $"| N | end to end | {string.Join(" | ", names)} |");
            Line(md, $"|---:|---:|{string.Concat(names.Select(_ => "---:|"))}");
            foreach (var p in report.Speedups)
            {
                Line(md, $"| {p.N:N0} | {p.EndToEnd:F1}× | {string.Join(" | ", names.Select(n => p.Stages.TryGetValue(n, out double v) ? $"{v:F1}×" : "–"))} |");
            }

            md.AppendLine();
        }

        foreach (string sweep in SweepOrder)
        {
            foreach (var group in report.Runs.Where(r => r.Sweep == sweep).GroupBy(r => r.Backend))
            {
                var runs = group.ToArray();
                var first = runs[0];
                string fixedPart = sweep switch
                {
                    "m" => $"N = {first.N:N0}, d = {first.D}, depth {first.Depth} {first.Activation}",
                    "d" => $"N = {first.N:N0}, M = {first.M:N0}, depth {first.Depth} {first.Activation}",
                    "depth" => $"N = {first.N:N0}, M = {first.M:N0}, d = {first.D}, {first.Activation}",
                    _ => $"N = {first.N:N0}, M = {first.M:N0}, d = {first.D}, depth {first.Depth}",
                };
                Line(md, $"## {SweepTitle(sweep)} sweep on the {group.Key.ToUpperInvariant()} ({fixedPart})");
                md.AppendLine();
                StageTable(md, runs, r => sweep switch
                {
                    "m" => r.M.ToString("N0", CultureInfo.InvariantCulture),
                    "d" => r.D.ToString(CultureInfo.InvariantCulture),
                    "depth" => r.Depth.ToString(CultureInfo.InvariantCulture),
                    _ => r.Activation,
                }, SweepTitle(sweep), showShape: false);
            }
        }

        md.AppendLine("## Checks");
        md.AppendLine();
        md.AppendLine("| check | status | detail |");
        md.AppendLine("|---|---|---|");
        foreach (var c in report.Checks)
        {
            Line(md, $"| {c.Name} | {c.Status} | {c.Detail} |");
        }

        md.AppendLine();
        if (plots.Count > 0)
        {
            md.AppendLine("## Plots");
            md.AppendLine();
            foreach (string plot in plots)
            {
                Line(md, $"![{Path.GetFileNameWithoutExtension(plot)}]({plot})");
                md.AppendLine();
            }
        }

        return md.ToString();
    }

    private static string SweepTitle(string sweep) => sweep switch
    {
        "m" => "M",
        "d" => "d",
        "depth" => "Depth",
        "activation" => "Activation",
        _ => sweep,
    };

    private static void StageTable(StringBuilder md, IReadOnlyList<RunResult> runs, Func<RunResult, string> key, string keyName, bool showShape)
    {
        var stages = Harness.StageNames.Where(s => runs.Any(r => r.Stages.ContainsKey(s))).ToArray();
        bool device = runs.Any(r => r.PeakDeviceMemoryBytes is not null);
        var header = new List<string> { keyName };
        if (showShape)
        {
            header.Add("M");
        }

        header.AddRange(["end to end", "spread", "stage sum", "outside stages (fit + predict)"]);
        header.AddRange(stages);
        header.Add("peak host WS");
        if (device)
        {
            header.Add("peak device");
        }

        Line(md, $"| {string.Join(" | ", header)} |");
        Line(md, $"|{string.Concat(header.Select(_ => "---:|"))}");
        foreach (var r in runs)
        {
            var cells = new List<string> { key(r) };
            if (showShape)
            {
                cells.Add(r.M.ToString("N0", CultureInfo.InvariantCulture));
            }

            cells.Add(Seconds(r.EndToEnd.Median));
            cells.Add(Percent(r.EndToEnd.Spread));
            cells.Add(Percent(r.StageSum.Median / r.EndToEnd.Median));
            cells.Add(string.Create(CultureInfo.InvariantCulture, $"{Seconds(r.FitGapSeconds.Median)} + {Seconds(r.PredictGapSeconds.Median)}"));
            foreach (string stage in stages)
            {
                cells.Add(r.Stages.TryGetValue(stage, out var v) ? StageCell(v) : "–");
            }

            cells.Add(Bytes(r.PeakHostWorkingSetBytes));
            if (device)
            {
                cells.Add(r.PeakDeviceMemoryBytes is { } b ? Bytes(b) : "–");
            }

            Line(md, $"| {string.Join(" | ", cells)} |");
        }

        md.AppendLine();
    }

    private static string StageCell(StageResult stage)
    {
        string cell = $"{Seconds(stage.Seconds.Median)} · {Rate(stage.Rate)} {stage.Unit}";
        return stage.PeakFraction is { } f ? $"{cell} ({Percent(f)} of {stage.PeakName})" : cell;
    }

    /// <summary>Seconds with three significant figures: "12.3 s", "0.0456 s".</summary>
    public static string Seconds(double seconds) => seconds switch
    {
        >= 100 => string.Create(CultureInfo.InvariantCulture, $"{seconds:F0} s"),
        >= 10 => string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s"),
        >= 1 => string.Create(CultureInfo.InvariantCulture, $"{seconds:F2} s"),
        >= 0.001 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:G3} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:G3} µs"),
    };

    private static string Rate(double rate) => rate switch
    {
        >= 100 => rate.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => rate.ToString("F1", CultureInfo.InvariantCulture),
        _ => rate.ToString("G2", CultureInfo.InvariantCulture),
    };

    private static string Percent(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{100 * fraction:F1} %");

    private static string Bytes(long bytes) => bytes >= 1L << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F0} MiB");

    private static string Fixed(double? value, int digits) =>
        value is { } v ? v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "–";

    private static string Load(IReadOnlyList<double>? load) =>
        load is null ? "unknown" : string.Join(" / ", load.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)));

    private static void Line(StringBuilder md, FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
}
