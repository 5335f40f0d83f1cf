using System.Globalization;
using GpuNngp.Engine.Computation;

namespace GpuNngp.Perf;

/// <summary>The harness's command line. Every list option takes comma-separated values.</summary>
public sealed record HarnessOptions
{
    /// <summary>The CPU's default largest N: four points (1k, 2k, 4k, 8k) stay practical on two cores.</summary>
    public const int DefaultCpuMaxN = 8000;

    public bool Help { get; init; }

    /// <summary>The arguments as given, for the report.</summary>
    public string Command { get; init; } = "";

    /// <summary>A run under a minute on a 2-core CPU (the smoke test's): small N, three repeats, small sweeps.</summary>
    public bool Quick { get; init; }

    /// <summary>Exit 1 when a consistency check fails (stage sum vs end to end, scaling exponents).</summary>
    public bool Strict { get; init; }

    public string? OutputDirectory { get; init; }

    /// <summary>"cpu", "gpu"; null: every backend present.</summary>
    public IReadOnlyList<string>? Backends { get; init; }

    /// <summary>Explicit training sizes; null: the geometric series MinN·Ratio^k up to each backend's limit.</summary>
    public IReadOnlyList<int>? NValues { get; init; }

    public int MinN { get; init; } = 1000;

    public double Ratio { get; init; } = 2;

    /// <summary>Largest N on every backend (null: the CPU stops at <see cref="DefaultCpuMaxN"/>, a GPU at what fits).</summary>
    public int? MaxN { get; init; }

    public int? CpuMaxN { get; init; }

    public int? GpuMaxN { get; init; }

    /// <summary>Test points M of the N sweep.</summary>
    public int TestSize { get; init; } = 1000;

    public int Dimension { get; init; } = 784;

    public int Depth { get; init; } = 3;

    public string Activation { get; init; } = "relu";

    public int Outputs { get; init; } = 10;

    public double WeightVariance { get; init; } = 1.45;

    public double BiasVariance { get; init; } = 0.28;

    public double Noise { get; init; } = 1e-3;

    public int QuadratureOrder { get; init; } = QuadratureRules.DefaultOrder;

    public int Repeats { get; init; } = 3;

    public int Warmups { get; init; } = 1;

    /// <summary>synthetic (random standardised inputs), mnist10k, fashion-mnist or a directory of MNIST-format files.</summary>
    public string Dataset { get; init; } = SyntheticData.Name;

    public int Seed { get; init; } = 1;

    /// <summary>Training size of the M, d and depth sweeps on the CPU.</summary>
    public int BaseN { get; init; } = 2000;

    /// <summary>Training size of the M, d and depth sweeps on a GPU (null: 16,000, where a GPU's stages outweigh its fixed costs).</summary>
    public int? GpuBaseN { get; init; }

    /// <summary>Training size of the activation sweep (inputs share one norm, so quadrature activations read lookup tables; a direct entry costs 10k–33k φ evaluations per layer).</summary>
    public int ActivationN { get; init; } = 250;

    /// <summary>Test size of the activation sweep.</summary>
    public int ActivationTestSize { get; init; } = 50;

    public IReadOnlyList<int> SweepTestSizes { get; init; } = [250, 500, 1000, 2000];

    public IReadOnlyList<int> SweepDimensions { get; init; } = [64, 256, 784, 3072];

    public IReadOnlyList<int> SweepDepths { get; init; } = [1, 3, 10, 20];

    public IReadOnlyList<string> SweepActivations { get; init; } = ["relu", "erf", "gelu", "tanh"];

    /// <summary>Fit the scaling exponents over N ≥ this (4,000 by default, 1,000 with --quick).</summary>
    public int FitMinN { get; init; } = 4000;

    /// <summary>The stage sum may differ from the end-to-end time by at most this fraction.</summary>
    public double GapTolerance { get; init; } = 0.05;

    /// <summary>The stage-sum check judges configurations whose median end-to-end time is at least this (seconds).</summary>
    public double GapMinSeconds { get; init; } = 0.1;

    /// <summary>The smoke test's settings: under a minute on two cores, JIT and plotting included.</summary>
    public static HarnessOptions QuickDefaults { get; } = new()
    {
        Quick = true,
        MinN = 1000,
        Ratio = Math.Sqrt(2),
        MaxN = 2000,
        TestSize = 250,
        Repeats = 3,
        BaseN = 1000,
        GpuBaseN = 4000,
        ActivationN = 250,
        ActivationTestSize = 50,
        SweepTestSizes = [125, 500],
        SweepDimensions = [64, 784],
        SweepDepths = [1, 3],
        SweepActivations = ["relu", "erf", "gelu", "tanh"],
        QuadratureOrder = 16,
        FitMinN = 1000,
    };

    public static string Usage { get; } = """
        GpuNngp.Perf: CPU and GPU throughput of the NNGP engine, stage by stage.

        usage: dotnet run -c Release --project perf -- [options]
               dotnet run -c Release --project perf -- micro [BenchmarkDotNet options, e.g. --filter '*']
               dotnet run -c Release --project perf -- replot RUN.json [--out DIR]
               dotnet run -c Release --project perf -- conv [--device cpu|gpu] [--quick] [--json PATH] [--markdown PATH]   (conv --help)

          --quick                  a run under a minute on 2 cores (N = 1000..2000, 3 repeats, small sweeps, Gauss-Hermite order 16)
          --out DIR                where the JSON, Markdown and PNG files go (default artifacts/perf/<date-time>)
          --backends cpu,gpu       backends to measure (default: every one present)
          --n LIST                 training sizes N (default: a geometric series, see --min-n/--ratio/--max-n)
          --min-n N --ratio R      first N and ratio of the series (default 1000 and 2)
          --max-n N                largest N on every backend (default: CPU 8000, GPU what fits in its memory)
          --cpu-max-n N --gpu-max-n N   the same for one backend
          --m M                    test points of the N sweep (default 1000)
          --d D                    input dimension (default 784)
          --depth L --activation NAME --outputs C   the network and targets (default 3, relu, 10)
          --weight-var V --bias-var V --noise V     (default 1.45, 0.28, 1e-3)
          --quadrature-order Q     0: the accurate graded Gauss-Legendre rule (default); 1-300: Gauss-Hermite of that order
          --repeats R --warmup W   timed and discarded runs per configuration (default 3 and 1)
          --dataset NAME           synthetic (default), mnist10k, fashion-mnist or a directory of MNIST-format files
          --seed S                 seed of the synthetic data
          --base-n N               N of the M, d and depth sweeps (default 2000 on the CPU, 16000 on a GPU)
          --gpu-base-n N           the same on a GPU only
          --sweep-m LIST --sweep-d LIST --sweep-depth LIST   (default 250,500,1000,2000 / 64,256,784,3072 / 1,3,10,20)
          --activation-n N --activation-m M --sweep-activation LIST   the activation sweep (default 250, 50, relu,erf,gelu,tanh)
          --no-sweeps              the N sweep only
          --fit-min-n N            fit scaling exponents over N >= this (default 4000; 1000 with --quick)
          --gap-min-seconds S      the stage-sum check judges configurations of at least S seconds end to end (default 0.1)
          --strict                 exit 1 when a consistency check fails
        """;

    /// <summary>Parses the command line; bad values are <see cref="ArgumentException"/>s with a one-line message.</summary>
    public static HarnessOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = (args.Contains("--quick") ? QuickDefaults : new HarnessOptions()) with { Command = string.Join(' ', args) };
        bool noSweeps = false;
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{name} needs a value");
                }

                return args[++i];
            }

            options = name switch
            {
                "--help" or "-h" => options with { Help = true },
                "--quick" => options,
                "--strict" => options with { Strict = true },
                "--no-sweeps" => Flag(ref noSweeps, options),
                "--out" => options with { OutputDirectory = Value() },
                "--backends" => options with { Backends = BackendList(name, Value()) },
                "--n" => options with { NValues = Positive(name, Value()) },
                "--min-n" => options with { MinN = Int(name, Value(), 2) },
                "--ratio" => options with { Ratio = Double(name, Value(), 1.05) },
                "--max-n" => options with { MaxN = Int(name, Value(), 2) },
                "--cpu-max-n" => options with { CpuMaxN = Int(name, Value(), 2) },
                "--gpu-max-n" => options with { GpuMaxN = Int(name, Value(), 2) },
                "--m" => options with { TestSize = Int(name, Value(), 1) },
                "--d" => options with { Dimension = Int(name, Value(), 1) },
                "--depth" => options with { Depth = Int(name, Value(), 0) },
                "--activation" => options with { Activation = Value() },
                "--outputs" => options with { Outputs = Int(name, Value(), 1) },
                "--weight-var" => options with { WeightVariance = Double(name, Value(), 0) },
                "--bias-var" => options with { BiasVariance = Double(name, Value(), 0) },
                "--noise" => options with { Noise = Double(name, Value(), 0) },
                "--quadrature-order" => options with { QuadratureOrder = Int(name, Value(), 0) },
                "--repeats" => options with { Repeats = Int(name, Value(), 1) },
                "--warmup" => options with { Warmups = Int(name, Value(), 0) },
                "--dataset" => options with { Dataset = Value() },
                "--seed" => options with { Seed = Int(name, Value(), 0) },
                "--base-n" => options with { BaseN = Int(name, Value(), 2), GpuBaseN = options.GpuBaseN ?? Int(name, args[i], 2) },
                "--gpu-base-n" => options with { GpuBaseN = Int(name, Value(), 2) },
                "--sweep-m" => options with { SweepTestSizes = Positive(name, Value()) },
                "--sweep-d" => options with { SweepDimensions = Positive(name, Value()) },
                "--sweep-depth" => options with { SweepDepths = List(name, Value(), 0) },
                "--activation-n" => options with { ActivationN = Int(name, Value(), 2) },
                "--activation-m" => options with { ActivationTestSize = Int(name, Value(), 1) },
                "--sweep-activation" => options with { SweepActivations = Names(Value()) },
                "--fit-min-n" => options with { FitMinN = Int(name, Value(), 2) },
                "--gap-min-seconds" => options with { GapMinSeconds = Double(name, Value(), 0) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        if (noSweeps)
        {
            options = options with { SweepTestSizes = [], SweepDimensions = [], SweepDepths = [], SweepActivations = [] };
        }

        return options;
    }

    /// <summary>The training sizes of the N sweep on a backend whose memory holds at most <paramref name="fits"/> points.</summary>
    public IReadOnlyList<int> TrainSizes(bool gpu, int fits)
    {
        int limit = gpu ? GpuMaxN ?? MaxN ?? fits : CpuMaxN ?? MaxN ?? DefaultCpuMaxN;
        limit = Math.Min(limit, fits);
        if (NValues is not null)
        {
            return NValues.Where(n => n <= limit).Distinct().Order().ToArray();
        }

        var sizes = new List<int>();
        for (int k = 0; ; k++)
        {
            int n = (int)Math.Round(MinN * Math.Pow(Ratio, k));
            if (n > limit * 1.0001)
            {
                break;
            }

            if (sizes.Count == 0 || n != sizes[^1])
            {
                sizes.Add(n);
            }
        }

        return sizes;
    }

    private static HarnessOptions Flag(ref bool flag, HarnessOptions options)
    {
        flag = true;
        return options;
    }

    private static int Int(string name, string text, int minimum)
    {
        if (!int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < minimum)
        {
            throw new ArgumentException($"{name} must be an integer ≥ {minimum}, got '{text}'");
        }

        return value;
    }

    private static double Double(string name, string text, double minimum)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value < minimum)
        {
            throw new ArgumentException($"{name} must be a number ≥ {minimum.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
        }

        return value;
    }

    private static int[] List(string name, string text, int minimum) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => Int(name, v, minimum)).ToArray();

    private static int[] Positive(string name, string text) => List(name, text, 1);

    private static string[] Names(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => v.ToLowerInvariant()).ToArray();

    private static string[] BackendList(string name, string text)
    {
        var names = Names(text);
        foreach (string backend in names)
        {
            if (backend is not ("cpu" or "gpu"))
            {
                throw new ArgumentException($"{name}: unknown backend '{backend}' (known: cpu, gpu)");
            }
        }

        return names;
    }
}
