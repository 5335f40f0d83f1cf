namespace GpuNngp.Perf.Training;

/// <summary>The options of the <c>training</c> verb (defaults: the measurement in docs/results.md).</summary>
public sealed record TrainingSettings
{
    public string Dataset { get; init; } = DataSplitName;
    public int TrainSize { get; init; } = 256;
    public int TestSize { get; init; } = 256;
    public int Classes { get; init; } = 10;
    public int Depth { get; init; } = 2;
    public double WeightVariance { get; init; } = 2.0;
    public double BiasVariance { get; init; } = 0.1;
    public IReadOnlyList<int> Widths { get; init; } = [64, 128, 256, 512, 1024];
    public int Seeds { get; init; } = 4;
    public int FirstSeed { get; init; } = 1;
    public IReadOnlyList<double> Times { get; init; } = [1, 10, 100, 1000];
    public double FirstStep { get; init; } = 0.01;
    public double StepGrowth { get; init; } = 0.02;
    public double LargestStep { get; init; } = 1.0;
    public string? JsonPath { get; init; }
    public string? CsvPath { get; init; }
    public string? PlotPath { get; init; }
    public bool Help { get; init; }
    public string? FromJsonPath { get; init; }

    private const string DataSplitName = "mnist10k";

    public const string Usage = """
        training [options]: finite ReLU networks (NTK parameterisation) trained by full-batch gradient
        descent against the infinite-width prediction (issue 13 item 4)
          --dataset NAME      mnist10k (default), mnist, fashion-mnist or a folder
          --train N           training points (256)        --test M    test points (256)
          --depth L           hidden layers (2)            --weight-variance, --bias-variance (2, 0.1)
          --widths W,W,...    hidden widths (64,128,256,512,1024)
          --seeds S           initialisations per width (4); --first-seed K (1)
          --times T,T,...     snapshot times τ in units of NC/λ_max (1,10,100,1000), increasing
          --first-step, --step-growth, --largest-step   the step schedule h = clamp(growth·τ, first, largest) (0.01, 0.02, 1)
          --json FILE, --csv FILE, --plot FILE.png       where to write the results
          --from-json FILE --plot FILE.png              draw the plot of an earlier run's JSON again (no training)
        """;

    public static TrainingSettings Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = new TrainingSettings();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (name is "--help" or "-h")
            {
                settings = settings with { Help = true };
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
                "--widths" => settings with { Widths = value.Split(',').Select(v => OptionValue.Integer(name, v)).ToArray() },
                "--seeds" => settings with { Seeds = OptionValue.Integer(name, value) },
                "--first-seed" => settings with { FirstSeed = OptionValue.Integer(name, value) },
                "--times" => settings with { Times = value.Split(',').Select(v => OptionValue.Real(name, v)).ToArray() },
                "--first-step" => settings with { FirstStep = OptionValue.Real(name, value) },
                "--step-growth" => settings with { StepGrowth = OptionValue.Real(name, value) },
                "--largest-step" => settings with { LargestStep = OptionValue.Real(name, value) },
                "--json" => settings with { JsonPath = value },
                "--csv" => settings with { CsvPath = value },
                "--plot" => settings with { PlotPath = value },
                "--from-json" => settings with { FromJsonPath = value },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        return settings;
    }

    /// <summary>Refuses settings that cannot be measured, with a one-line reason.</summary>
    public void Validate()
    {
        if (TrainSize < 1 || TestSize < 1 || Classes < 1 || Depth < 1 || Seeds < 1)
        {
            throw new ArgumentException("--train, --test, --depth and --seeds must be at least 1");
        }

        if (Widths.Count == 0 || Widths.Any(w => w < 1))
        {
            throw new ArgumentException("--widths must list widths of at least 1");
        }

        if (Times.Count == 0 || Times.Any(t => !double.IsFinite(t) || t <= 0) || Times.Zip(Times.Skip(1)).Any(p => p.Second <= p.First))
        {
            throw new ArgumentException("--times must be positive, finite and increasing");
        }

        if (!(FirstStep > 0) || !(StepGrowth >= 0) || !(LargestStep >= FirstStep) || !(LargestStep < 2))
        {
            throw new ArgumentException("the step schedule needs 0 < --first-step ≤ --largest-step < 2 (the stability limit) and --step-growth ≥ 0");
        }

        if (!(WeightVariance > 0) || !(BiasVariance >= 0) || !double.IsFinite(WeightVariance) || !double.IsFinite(BiasVariance))
        {
            throw new ArgumentException("--weight-variance must be positive and --bias-variance non-negative, both finite");
        }
    }
}
