using System.Globalization;

namespace GpuNngp.Perf.Conv;

/// <summary>The <c>conv</c> verb's command line.</summary>
public sealed record ConvOptions
{
    public bool Help { get; init; }

    /// <summary>The arguments as given, for the report.</summary>
    public string Command { get; init; } = "conv";

    /// <summary>"cpu" or "gpu".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Each case on its quick rectangle, one timed run, no warm-up: the test's mode (&lt; 30 s on two cores).</summary>
    public bool Quick { get; init; }

    public int Repeats { get; init; } = 3;

    public int Warmups { get; init; } = 1;

    /// <summary>Case names to run (null: all).</summary>
    public IReadOnlyList<string>? Cases { get; init; }

    /// <summary>Rows n of every case's rectangle instead of its own (a multiple of 16 keeps the CPU's bundles full).</summary>
    public int? Rows { get; init; }

    /// <summary>Columns m of every case's rectangle instead of its own.</summary>
    public int? Columns { get; init; }

    public string? JsonPath { get; init; }

    public string? MarkdownPath { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>The spatial kernel's precisions, each case run in each in turn: ["fp64"] (the default), ["fp32"] or both.</summary>
    public IReadOnlyList<string> Precisions { get; init; } = ["fp64"];

    public static string Usage { get; } = """
        GpuNngp.Perf conv: kernel entries per second of convolutional networks (issue 11).

        usage: dotnet perf/bin/Release/net10.0/GpuNngp.Perf.dll conv [options]

          --device cpu|gpu     the engine's device (default cpu)
          --quick              each case on a few pairs, one timed run without warm-up (the test's mode)
          --repeats R          timed runs per case, the median reported (default 3)
          --warmup W           discarded runs per case before them (default 1)
          --cases LIST         comma-separated case names (default: all; the names are in the report)
          --rows N --columns M every case's rectangle K(X, X2) of N × M entries instead of its own
          --json PATH          write the report as JSON
          --markdown PATH      write the report as Markdown (it is printed either way)
          --seed S             seed of the random images (default 1)
          --precision P        fp64 (default), fp32 or both: the spatial kernel's KernelOptions.Precision;
                               both runs each case in FP64 then FP32 on the same images and reports
                               FP32's max entrywise relative error against FP64
        """;

    /// <summary>Parses the verb's arguments (after "conv"); bad values are <see cref="ArgumentException"/>s with a one-line message.</summary>
    public static ConvOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        // --quick sets the defaults first, so that --repeats and --warmup still apply with it.
        var options = (args.Contains("--quick") ? new ConvOptions { Quick = true, Repeats = 1, Warmups = 0 } : new ConvOptions()) with
        {
            Command = string.Join(' ', args.Prepend("conv")),
        };
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            options = name switch
            {
                "--help" or "-h" => options with { Help = true },
                "--quick" => options,
                "--device" => options with { Device = DeviceName(Value()) },
                "--repeats" => options with { Repeats = Int(name, Value(), 1) },
                "--warmup" => options with { Warmups = Int(name, Value(), 0) },
                "--cases" => options with { Cases = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--rows" => options with { Rows = Int(name, Value(), 1) },
                "--columns" => options with { Columns = Int(name, Value(), 1) },
                "--json" => options with { JsonPath = Value() },
                "--markdown" => options with { MarkdownPath = Value() },
                "--seed" => options with { Seed = Int(name, Value(), 0) },
                "--precision" => options with { Precisions = PrecisionNames(Value()) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        return options;
    }

    private static string DeviceName(string text) => text.ToLowerInvariant() is "cpu" or "gpu"
        ? text.ToLowerInvariant()
        : throw new ArgumentException($"--device: unknown device '{text}' (known: cpu, gpu)");

    private static string[] PrecisionNames(string text) => text.ToLowerInvariant() switch
    {
        "fp64" => ["fp64"],
        "fp32" => ["fp32"],
        "both" => ["fp64", "fp32"],
        _ => throw new ArgumentException($"--precision: unknown precision '{text}' (known: fp64, fp32, both)"),
    };

    private static int Int(string name, string text, int minimum) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= minimum
            ? value
            : throw new ArgumentException($"{name} must be an integer ≥ {minimum}, got '{text}'");
}
