namespace GpuNngp.Perf.Dynamics;

/// <summary>The options of the <c>dynamics</c> verb (defaults: issue 13 item 5's CPU case, N = 10,000).</summary>
public sealed record DynamicsBenchmarkSettings
{
    public string Dataset { get; init; } = "fashion-mnist";
    public int TrainSize { get; init; } = 10_000;
    public int TestSize { get; init; } = 1_000;
    public int Depth { get; init; } = 3;
    public double WeightVariance { get; init; } = 2.0;
    public double BiasVariance { get; init; } = 0.1;
    public int TimeCount { get; init; } = 100;
    public bool Ntk { get; init; }
    public bool TrainingCurve { get; init; } = true;
    public DeviceKind Device { get; init; } = DeviceKind.Cpu;
    public string? JsonPath { get; init; }
    public bool Help { get; init; }

    public const string Usage = """
        dynamics [options]: the training dynamics' speed (issue 13 item 5): one eigendecomposition of the
        training kernel, then a sweep over many times (means, variances, the training set's curve)
          --dataset NAME      fashion-mnist (default), mnist, mnist10k or a folder
          --train N           training points (10000)      --test M    test points (1000)
          --depth L           ReLU hidden layers (3)       --weight-variance, --bias-variance (2, 0.1)
          --times T           how many times, log-spaced from 0.1 to 1e8 (100)
          --ntk               the NTK regime (all layers trained); default the NNGP regime
          --no-training-curve skip the means at the N training points
          --device cpu|gpu|auto (cpu)
          --json FILE         the figures as JSON
        """;

    public static DynamicsBenchmarkSettings Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = new DynamicsBenchmarkSettings();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            switch (name)
            {
                case "--help" or "-h":
                    settings = settings with { Help = true };
                    continue;
                case "--ntk":
                    settings = settings with { Ntk = true };
                    continue;
                case "--no-training-curve":
                    settings = settings with { TrainingCurve = false };
                    continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name} needs a value");
            }

            string value = args[++i];
            settings = name switch
            {
                "--dataset" => settings with { Dataset = value },
                "--train" => settings with { TrainSize = OptionValue.Integer(name, value) },
                "--test" => settings with { TestSize = OptionValue.Integer(name, value) },
                "--depth" => settings with { Depth = OptionValue.Integer(name, value) },
                "--weight-variance" => settings with { WeightVariance = OptionValue.Real(name, value) },
                "--bias-variance" => settings with { BiasVariance = OptionValue.Real(name, value) },
                "--times" => settings with { TimeCount = OptionValue.Integer(name, value) },
                "--device" => settings with { Device = DeviceOf(value) },
                "--json" => settings with { JsonPath = value },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        return settings;
    }

    /// <summary>Refuses settings that cannot be measured, with a one-line reason.</summary>
    public void Validate()
    {
        if (TrainSize < 2 || TestSize < 1 || Depth < 1 || TimeCount < 1)
        {
            throw new ArgumentException("--train must be at least 2, --test, --depth and --times at least 1");
        }

        if (!(WeightVariance > 0) || !(BiasVariance >= 0) || !double.IsFinite(WeightVariance) || !double.IsFinite(BiasVariance))
        {
            throw new ArgumentException("--weight-variance must be positive and --bias-variance non-negative, both finite");
        }
    }

    /// <summary>The times of the sweep: <see cref="TimeCount"/> log-spaced from 0.1 to 1e8 (one time: 1).</summary>
    public double[] Times() => TimeCount == 1 ? [1.0] : [.. Enumerable.Range(0, TimeCount).Select(i => Math.Pow(10, -1 + (9.0 * i / (TimeCount - 1))))];

    private static DeviceKind DeviceOf(string value) => value switch
    {
        "cpu" => DeviceKind.Cpu,
        "gpu" => DeviceKind.Gpu,
        "auto" => DeviceKind.Auto,
        _ => throw new ArgumentException($"--device takes cpu, gpu or auto, got '{value}'"),
    };
}
