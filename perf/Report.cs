using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GpuNngp.Perf;

/// <summary>Everything one harness run measured: the JSON file it writes (schema <see cref="SchemaName"/>).</summary>
public sealed record BenchmarkReport
{
    public const string SchemaName = "gpunngp-perf/1";

    public string Schema { get; init; } = SchemaName;

    public required DateTimeOffset Date { get; init; }

    /// <summary>The harness's arguments.</summary>
    public required string Command { get; init; }

    public required bool Quick { get; init; }

    public required MachineInfo Machine { get; init; }

    public GpuInfo? Gpu { get; init; }

    public required HarnessSettings Settings { get; init; }

    public required IReadOnlyList<BackendInfo> Backends { get; init; }

    public required IReadOnlyList<RunResult> Runs { get; init; }

    public required IReadOnlyList<ScalingFit> Scaling { get; init; }

    public required IReadOnlyList<SpeedupPoint> Speedups { get; init; }

    public required IReadOnlyList<CheckResult> Checks { get; init; }

    /// <summary>The Markdown and PNG files written beside the JSON (file names).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Seconds the whole harness run took.</summary>
    public double WallSeconds { get; init; }

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

public sealed record MachineInfo(
    string Description,
    string CpuModel,
    int LogicalCores,
    string Os,
    string Runtime,
    IReadOnlyList<double>? LoadAverageStart,
    IReadOnlyList<double>? LoadAverageEnd,
    long HostMemoryBytes);

/// <summary>The GPU as the engine and NVML name it, its driver, and the matched row of the peaks table.</summary>
public sealed record GpuInfo(
    string BackendName,
    string? NvmlName,
    string? Driver,
    long? MemoryBytes,
    GpuPeaks? Peaks,
    string? MemoryMonitor);

public sealed record HarnessSettings(
    string Dataset,
    int Seed,
    int Repeats,
    int Warmups,
    int TestSize,
    int Dimension,
    int Depth,
    string Activation,
    int Outputs,
    double WeightVariance,
    double BiasVariance,
    double Noise,
    int QuadratureOrder,
    int FitMinN,
    double GapTolerance,
    double GapMinSeconds);

/// <summary>One backend the harness measured: "cpu" or "gpu", the engine's name, and the largest N it was given.</summary>
public sealed record BackendInfo(string Key, string Name, string DeviceChoice, int MaxN, IReadOnlyList<int> TrainSizes);

/// <summary>One configuration on one backend, measured <c>repeats</c> times after <c>warmups</c> discarded runs.</summary>
public sealed record RunResult
{
    /// <summary>Which sweep it belongs to: n, m, d, depth or activation.</summary>
    public required string Sweep { get; init; }

    public required string Backend { get; init; }

    public required int N { get; init; }

    public required int M { get; init; }

    public required int D { get; init; }

    public required int Depth { get; init; }

    public required string Activation { get; init; }

    public required int Outputs { get; init; }

    /// <summary>Wall clock around Fit + Predict.</summary>
    public required Summary EndToEnd { get; init; }

    /// <summary>Σ of the stage times of each repeat.</summary>
    public required Summary StageSum { get; init; }

    /// <summary>(end to end − stage sum) / end to end of each repeat: the time no stage accounts for.</summary>
    public required Summary Gap { get; init; }

    /// <summary>Seconds of the Fit call that no fit stage accounts for (validation, copies, allocation).</summary>
    public required Summary FitGapSeconds { get; init; }

    /// <summary>Seconds of the Predict call that no prediction stage accounts for.</summary>
    public required Summary PredictGapSeconds { get; init; }

    /// <summary>Seconds the garbage collector paused the process during each repeat (inside or outside stages).</summary>
    public required Summary GcPauseSeconds { get; init; }

    /// <summary>The most collections (any generation) during one repeat.</summary>
    public required int GcCollections { get; init; }

    public required IReadOnlyDictionary<string, StageResult> Stages { get; init; }

    public required double Jitter { get; init; }

    public required double LogMarginalLikelihood { get; init; }

    /// <summary>Process.PeakWorkingSet64 after this configuration (the process's peak so far).</summary>
    public required long PeakHostWorkingSetBytes { get; init; }

    /// <summary>The largest device memory in use during the timed repeats minus that once the engine existed, before its first fit (NVML; the CUDA context excluded; null on the CPU).</summary>
    public long? PeakDeviceMemoryBytes { get; init; }

    /// <summary>Seconds spent making or loading the data (not timed as part of any figure).</summary>
    public double DataSeconds { get; init; }
}

/// <summary>One stage of one configuration: its times, its work model and its rate at the median time.</summary>
public sealed record StageResult(
    Summary Seconds,
    double Work,
    string WorkModel,
    string Unit,
    double Rate,
    double RateSpread,
    string? PeakName,
    double? PeakRate,
    double? PeakFraction,
    double ShareOfTotal);

/// <summary>The least-squares slope of log t against log N: t ∝ N^exponent.</summary>
public sealed record ScalingFit(
    string Backend,
    string Stage,
    double? Exponent,
    double? RSquared,
    IReadOnlyList<int> FittedN,
    int MinN,
    double? ExponentAllN);

/// <summary>The speed-up at one N: CPU time / GPU time (median over median), end to end and per stage.</summary>
public sealed record SpeedupPoint(int N, double EndToEnd, IReadOnlyDictionary<string, double> Stages);

/// <summary>One of the harness's self-checks: status pass, fail, warn, info or skipped.</summary>
public sealed record CheckResult(string Name, string Status, string Detail);
