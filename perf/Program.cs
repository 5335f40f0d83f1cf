using GpuNngp.Perf.Conv;
using GpuNngp.Perf.Dynamics;
using GpuNngp.Perf.Micro;
using GpuNngp.Perf.Training;

namespace GpuNngp.Perf;

/// <summary>
/// <c>dotnet run -c Release --project perf -- [options]</c>: the throughput sweep (JSON, Markdown, PNG);
/// <c>-- micro [BenchmarkDotNet options]</c>: the per-entry layer map micro-benchmark;
/// <c>-- conv [options]</c>: kernel entries per second of convolutional networks;
/// <c>-- training [options]</c>: finite networks trained by gradient descent against the infinite-width prediction;
/// <c>-- dynamics [options]</c>: the training dynamics' eigendecomposition and time sweep;
/// <c>-- pcg [options]</c>: PCG iterations and seconds per iteration against N and the preconditioner's rank.
/// </summary>
public static class PerfProgram
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>The whole harness in process (the smoke test calls this): 0 on success, 2 on bad options.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length > 0 && args[0] == "micro")
        {
            return LayerMapBenchmarks.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "conv")
        {
            return Conv(args[1..], output, error);
        }

        if (args.Length > 0 && args[0] == "training")
        {
            return Training(args[1..], output, error);
        }

        if (args.Length > 0 && args[0] == "dynamics")
        {
            return Dynamics(args[1..], output, error);
        }

        if (args.Length > 0 && args[0] == "pcg")
        {
            return Iterative.PcgBenchmark.Run(args[1..], output, error);
        }

        if (args.Length > 0 && args[0] == "replot")
        {
            return Replot(args[1..], output, error);
        }

        HarnessOptions options;
        try
        {
            options = HarnessOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine("run with --help for the options");
            return 2;
        }

        if (options.Help)
        {
            output.Write(HarnessOptions.Usage);
            return 0;
        }

        try
        {
            var result = new Harness(options, output).Run();
            return result.FailedChecks > 0 && options.Strict ? 1 : 0;
        }
        catch (NngpException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    /// <summary><c>training [options]</c>: finite networks trained by gradient descent against the infinite-width prediction.</summary>
    private static int Training(string[] args, TextWriter output, TextWriter error)
    {
        TrainingSettings settings;
        try
        {
            settings = TrainingSettings.Parse(args);
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine("run with training --help for the options");
            return 2;
        }

        if (settings.Help)
        {
            output.Write(TrainingSettings.Usage);
            return 0;
        }

        if (settings.FromJsonPath is { } json)
        {
            if (settings.PlotPath is null || !File.Exists(json))
            {
                error.WriteLine($"error: --from-json needs an existing report and --plot (got '{json}')");
                return 2;
            }

            TrainingReport.FromJson(File.ReadAllText(json)).WritePlot(settings.PlotPath);
            return 0;
        }

        try
        {
            var report = TrainingCheck.Run(settings, output);
            output.Write(report.ToMarkdown());
            WriteIfAsked(settings.JsonPath, report.ToJson());
            WriteIfAsked(settings.CsvPath, report.ToCsv());
            if (settings.PlotPath is { } plot)
            {
                report.WritePlot(plot);
            }

            return 0;
        }
        catch (NngpException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    /// <summary><c>dynamics [options]</c>: the eigendecomposition and the time sweep of the training dynamics, as Markdown and --json.</summary>
    private static int Dynamics(string[] args, TextWriter output, TextWriter error)
    {
        DynamicsBenchmarkSettings settings;
        try
        {
            settings = DynamicsBenchmarkSettings.Parse(args);
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine("run with dynamics --help for the options");
            return 2;
        }

        if (settings.Help)
        {
            output.Write(DynamicsBenchmarkSettings.Usage);
            return 0;
        }

        try
        {
            var report = DynamicsBenchmark.Run(settings, output);
            output.WriteLine();
            output.Write(report.ToMarkdown());
            if (settings.JsonPath is { } json)
            {
                WriteFile(json, System.Text.Json.JsonSerializer.Serialize(report, BenchmarkReport.JsonOptions));
            }

            return 0;
        }
        catch (NngpException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static void WriteIfAsked(string? path, string text)
    {
        if (path is not null)
        {
            File.WriteAllText(path, text);
        }
    }

    /// <summary><c>conv [options]</c>: the convolutional benchmark, printed as Markdown and written to --json/--markdown.</summary>
    private static int Conv(string[] args, TextWriter output, TextWriter error)
    {
        ConvOptions options;
        try
        {
            options = ConvOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine("run with conv --help for the options");
            return 2;
        }

        if (options.Help)
        {
            output.Write(ConvOptions.Usage);
            return 0;
        }

        ConvReport report;
        try
        {
            report = new ConvBenchmark(options, output).Run();
        }
        catch (Exception e) when (e is NngpException or ArgumentException)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }

        string markdown = ConvMarkdown.Write(report);
        output.WriteLine();
        output.Write(markdown);
        if (options.JsonPath is { } json)
        {
            WriteFile(json, System.Text.Json.JsonSerializer.Serialize(report, BenchmarkReport.JsonOptions));
        }

        if (options.MarkdownPath is { } path)
        {
            WriteFile(path, markdown);
        }

        output.WriteLine($"conv: {report.Cases.Count} cases in {report.WallSeconds:F1} s");
        return report.Cases.Any(c => c.Error is not null) ? 1 : 0;
    }

    /// <summary>Writes through a temporary file beside the target: no half-written report.</summary>
    private static void WriteFile(string path, string text)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary><c>replot RUN.json [--out DIR]</c>: the Markdown and PNGs of a run again (e.g. after a harness update), from its JSON.</summary>
    private static int Replot(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length is not (1 or 3) || (args.Length == 3 && args[1] != "--out"))
        {
            error.WriteLine("usage: replot RUN.json [--out DIR]");
            return 2;
        }

        BenchmarkReport? report;
        try
        {
            report = System.Text.Json.JsonSerializer.Deserialize<BenchmarkReport>(File.ReadAllText(args[0]), BenchmarkReport.JsonOptions);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {args[0]}: {e.Message}");
            return 2;
        }

        if (report is null)
        {
            error.WriteLine($"error: {args[0]} holds no report");
            return 2;
        }

        string directory = args.Length == 3 ? args[2] : Path.GetDirectoryName(Path.GetFullPath(args[0]))!;
        Directory.CreateDirectory(directory);
        var files = Plots.Write(report, directory);
        File.WriteAllText(Path.Combine(directory, "benchmark.md"), MarkdownReport.Write(report, files));
        output.WriteLine($"wrote benchmark.md, {string.Join(", ", files)} to {directory}");
        return 0;
    }
}
