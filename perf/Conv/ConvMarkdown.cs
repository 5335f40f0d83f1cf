using System.Globalization;
using System.Text;

namespace GpuNngp.Perf.Conv;

/// <summary>The <c>conv</c> report as Markdown: Neural Tangents' network beside its figures and the goals, then every case.</summary>
public static class ConvMarkdown
{
    public static string Write(ConvReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        var I = CultureInfo.InvariantCulture;
        bool gpu = report.Device == "gpu";
        md.AppendLine(I, $"# Convolutional kernels{(report.Quick ? " (--quick: a few pairs, one run, JIT included; not a measurement)" : "")}");
        md.AppendLine();
        md.AppendLine(I, $"`dotnet perf/bin/Release/net10.0/GpuNngp.Perf.dll {report.Command}`, {report.Date:yyyy-MM-dd HH:mm} UTC, {report.Machine}; engine: {report.Backend}.");
        md.AppendLine(I, $"Median of {report.Repeats} run(s) after {report.Warmups} warm-up(s). FP64 peak: {ConvBenchmark.Format(report.PeakGflops, "F0")} GFLOP/s ({report.PeakSource}){(report.MeasuredFmaGflops is { } m ? string.Create(I, $"; an FMA loop on every core measured {m:F0} GFLOP/s") : "")}.");
        if (report.LoadAverageStart is { } start)
        {
            md.AppendLine(I, $"1-minute load average {start[0]:F2} at the start, {report.LoadAverageEnd?[0]:F2} at the end.");
        }

        md.AppendLine();
        md.AppendLine("## Neural Tangents' benchmark network (NTK, FP64, 32×32×3)");
        md.AppendLine();
        if (report.Quick)
        {
            md.AppendLine("--quick runs these layers on 8×8 images: not comparable with NT's figures, no goal judged.");
            md.AppendLine();
        }

        md.AppendLine(I, $"| network | ours, ms/entry | NT V100 | NT CPU (>56 cores) | goal ({(gpu ? "H100/H200" : "this CPU")}) | met | % of FP64 peak |");
        md.AppendLine("|---|---:|---:|---:|---:|---|---:|");
        foreach (var c in report.Cases.Where(c => c.Reference is not null))
        {
            var r = c.Reference!;
            double? goal = gpu ? r.GpuGoalMs : r.CpuGoalMs;
            string met = c.GoalMet is { } g ? (g ? "yes" : "no") : "—";
            if (gpu && r.GpuPeakFractionGoal is { } f)
            {
                met += string.Create(I, $"; ≥ {100 * f:F0} % of peak: {(c.PeakGoalMet is { } p ? (p ? "yes" : "no") : "—")}");
            }

            md.AppendLine(I, $"| {c.Name}: {c.Description} | {Ms(c)} | {r.V100Ms:G4} | {r.CpuMs:G5} | {(goal is { } v ? $"≤ {v:G3}" : "—")} | {met} | {Percent(c.PeakFraction)} |");
        }

        md.AppendLine();
        md.AppendLine("NT's figures: its README (v0.2.1), time per NTK entry, FP64.");
        md.AppendLine();
        md.AppendLine("## Every case");
        md.AppendLine();
        md.AppendLine("| case | input | kind | readout | precision | n × m | own runs | median s | ms/entry | entries/s | ms/entry, pairs only (est.) | GFLOP/run | GFLOP/s | % of peak | FP32: speed-up (wall; CPU time; pairs), max rel. error |");
        md.AppendLine("|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var c in report.Cases)
        {
            if (c.Error is { } error)
            {
                md.AppendLine(I, $"| {c.Name} | {c.Input} | {c.Kind} | {c.Readout} | {c.Precision} | {c.Rows} × {c.Columns} | {c.OwnRuns} | error: {error} | | | | | | | |");
                continue;
            }

            string versus = c.SpeedupVsFp64 is { } s ? string.Create(I, $"{s:F2}×; {c.CpuSpeedupVsFp64:F2}×; {ConvBenchmark.Format(c.PairSpeedupVsFp64, "F2")}×, {c.MaxRelativeErrorVsFp64:G3}") : "—";
            md.AppendLine(I, $"| {c.Name} | {c.Input} | {c.Kind} | {c.Readout} | {c.Precision} | {c.Rows} × {c.Columns} | {c.OwnRuns} | {c.MedianSeconds:F3} | {Ms(c)} | {c.EntriesPerSecond:G4} | {ConvBenchmark.Format(c.PairMsPerEntry, "G4")} | {ConvBenchmark.Format(c.FlopsPerRun / 1e9, "G4")} | {ConvBenchmark.Format(c.Gflops, "F1")} | {Percent(c.PeakFraction)} | {versus} |");
        }

        md.AppendLine();
        md.AppendLine("Cases:");
        md.AppendLine();
        foreach (var c in report.Cases)
        {
            md.AppendLine(I, $"- `{c.Name}`: {c.Description}.");
        }

        md.AppendLine();
        md.AppendLine("Counting:");
        md.AppendLine();
        foreach (string rule in report.Counting)
        {
            md.AppendLine(I, $"- {rule}");
        }

        return md.ToString();
    }

    private static string Ms(ConvCaseResult c) => c.Error is null ? c.MsPerEntry.ToString("G4", CultureInfo.InvariantCulture) : "error";

    private static string Percent(double? fraction) => fraction is { } f ? (100 * f).ToString("F1", CultureInfo.InvariantCulture) + " %" : "—";
}
