using GpuNngp.Engine;
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
        catch (NngpInputException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
