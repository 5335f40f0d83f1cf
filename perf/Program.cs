using GpuNngp.Perf.Micro;

namespace GpuNngp.Perf;

/// <summary>
/// <c>dotnet run -c Release --project perf -- [options]</c>: the throughput sweep (JSON, Markdown, PNG);
/// <c>-- micro [BenchmarkDotNet options]</c>: the per-entry layer map micro-benchmark.
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
