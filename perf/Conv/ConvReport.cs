namespace GpuNngp.Perf.Conv;

/// <summary>What one run of the <c>conv</c> verb measured (its JSON, schema <see cref="SchemaName"/>).</summary>
public sealed record ConvReport
{
    public const string SchemaName = "gpunngp-conv/1";

    public string Schema { get; init; } = SchemaName;

    public required DateTimeOffset Date { get; init; }

    public required string Command { get; init; }

    public required bool Quick { get; init; }

    /// <summary>The machine (CPU model, cores, memory) as the experiments describe it.</summary>
    public required string Machine { get; init; }

    /// <summary>The 1-, 5- and 15-minute load averages at the start and the end (null without /proc/loadavg): figures from a busy machine are not for the docs.</summary>
    public double[]? LoadAverageStart { get; init; }

    public double[]? LoadAverageEnd { get; init; }

    /// <summary>"cpu" or "gpu".</summary>
    public required string Device { get; init; }

    /// <summary>The engine's device as it names it.</summary>
    public required string Backend { get; init; }

    public required int Repeats { get; init; }

    public required int Warmups { get; init; }

    /// <summary>The FP64 peak the stencil's rate is divided by (GFLOP/s), null when unknown.</summary>
    public double? PeakGflops { get; init; }

    /// <summary>Where <see cref="PeakGflops"/> comes from.</summary>
    public required string PeakSource { get; init; }

    /// <summary>The CPU's FMA loop on every core (GFLOP/s), a check on the derived peak; null on a GPU or without AVX-512.</summary>
    public double? MeasuredFmaGflops { get; init; }

    /// <summary>How entries, runs and flops are counted.</summary>
    public required IReadOnlyList<string> Counting { get; init; }

    public required IReadOnlyList<ConvCaseResult> Cases { get; init; }

    public double WallSeconds { get; init; }
}

/// <summary>
/// One case's measurement: the rectangle K(X, X2) of <see cref="Rows"/> × <see cref="Columns"/>
/// entries, computed with <see cref="OwnRuns"/> = rows + columns point runs besides the pairs.
/// </summary>
public sealed record ConvCaseResult
{
    public required string Name { get; init; }

    public required string Group { get; init; }

    public required string Description { get; init; }

    public required string Input { get; init; }

    /// <summary>"ntk" or "nngp".</summary>
    public required string Kind { get; init; }

    public required string Readout { get; init; }

    /// <summary>"fp64" or "fp32": the spatial kernel's precision (KernelOptions.Precision).</summary>
    public string Precision { get; init; } = "fp64";

    /// <summary>
    /// An FP32 case run beside its FP64 twin (--precision both): max over the entries of
    /// |K₃₂ − K₆₄| / |K₆₄| on the same images; null otherwise.
    /// </summary>
    public double? MaxRelativeErrorVsFp64 { get; init; }

    /// <summary>An FP32 case run beside its FP64 twin: the FP64 median over the FP32 median; null otherwise.</summary>
    public double? SpeedupVsFp64 { get; init; }

    /// <summary>
    /// An FP32 case beside its FP64 twin: the same ratio of the median CPU seconds (the process's
    /// user + system time per run), steadier than the wall clock on a machine shared with other work.
    /// </summary>
    public double? CpuSpeedupVsFp64 { get; init; }

    /// <summary>
    /// An FP32 case beside its FP64 twin: the speed-up of the pairs alone, from CPU seconds. The own
    /// runs are FP64 in both, so the FP64 run's CPU seconds per bundle (pairs and own runs alike)
    /// price them, and what is left of the FP32 run's is its pairs'; the figure for a large kernel.
    /// </summary>
    public double? PairSpeedupVsFp64 { get; init; }

    /// <summary>CPU seconds (user + system, all threads) per timed run, and their median.</summary>
    public IReadOnlyList<double> CpuSeconds { get; init; } = [];

    public double MedianCpuSeconds { get; init; }

    public required int Rows { get; init; }

    public required int Columns { get; init; }

    /// <summary>Rows × columns: the pairs computed, the kernel's entries.</summary>
    public required long Entries { get; init; }

    /// <summary>Rows + columns: each point's own run (its pixel variances), timed with the pairs.</summary>
    public required long OwnRuns { get; init; }

    /// <summary>SIMD bundles the CPU runs: ⌈rows/L⌉ · columns pair bundles + ⌈rows/L⌉ + ⌈columns/L⌉ own-run bundles (L lanes); null on a GPU.</summary>
    public long? CpuBundles { get; init; }

    /// <summary>Seconds per timed run (all of them) and their median.</summary>
    public IReadOnlyList<double> Seconds { get; init; } = [];

    public double MedianSeconds { get; init; }

    /// <summary>Median seconds / entries, in ms (own runs included in the time: Neural Tangents' measure).</summary>
    public double MsPerEntry { get; init; }

    public double EntriesPerSecond { get; init; }

    /// <summary>
    /// The CPU's ms per entry without the own runs, estimated: the median's share of pair bundles
    /// (⌈rows/L⌉·columns of <see cref="CpuBundles"/>; a point's own run computes a pair's slices, half
    /// of them with a global pooling, so its bundle costs one pair bundle or half one) per entry; what a large N × N kernel, where the own runs
    /// are a vanishing share, costs per entry. Null on a GPU.
    /// </summary>
    public double? PairMsPerEntry { get; init; }

    /// <summary>Flops of one run (pair or own) by <see cref="StencilFlops"/>; null when the model does not cover the network.</summary>
    public double? FlopsPerRun { get; init; }

    /// <summary>(entries + own runs) · flops per run / median seconds, GFLOP/s.</summary>
    public double? Gflops { get; init; }

    public double? PeakFraction { get; init; }

    public NtReference? Reference { get; init; }

    /// <summary>Whether this device's goal is met (null: no goal for this case on this device).</summary>
    public bool? GoalMet { get; init; }

    /// <summary>Whether the stencil's peak-fraction goal is met (GPU, null where there is none).</summary>
    public bool? PeakGoalMet { get; init; }

    /// <summary>The engine's one-line error when the case could not run (then no times).</summary>
    public string? Error { get; init; }
}
