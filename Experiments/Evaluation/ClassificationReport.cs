using GpuNngp.Data;

namespace GpuNngp.Experiments.Evaluation;

/// <summary>What an experiment measured; serialised as the --json report.</summary>
public sealed record ClassificationReport
{
    public required string Dataset { get; init; }

    /// <summary>How the data set was split: "first" or "paper" (<see cref="SplitProtocol"/>).</summary>
    public string Split { get; init; } = "first";

    public required int TrainSize { get; init; }

    public required int TestSize { get; init; }

    public required int Dimension { get; init; }

    public required int Classes { get; init; }

    public required string Architecture { get; init; }

    public required string Kernel { get; init; }

    public required double Noise { get; init; }

    public required string Backend { get; init; }

    public required string DeviceChoice { get; init; }

    public required double Accuracy { get; init; }

    /// <summary>The test points' mean posterior variance; null where the fit predicted the mean alone (PCG).</summary>
    public required double? MeanPredictiveVariance { get; init; }

    /// <summary>How a PCG fit converged; null for a Cholesky fit.</summary>
    public PcgSummary? Pcg { get; init; }

    /// <summary>
    /// The uncertainty calibration: equal-count bins by predicted variance with each bin's realised
    /// mean squared error (averaged over the C outputs), and the Pearson and Spearman correlations
    /// between per-point predicted variance and squared error. Null in reports made without it.
    /// </summary>
    public CalibrationResult? Calibration { get; init; }

    /// <summary>The lookup-table mode the kernel map ran with ("auto" or "off").</summary>
    public string Lookup { get; init; } = "auto";

    public required double Jitter { get; init; }

    public required double LogMarginalLikelihood { get; init; }

    /// <summary>Seconds per stage: data loading, then the engine's stages in data-flow order.</summary>
    public required IReadOnlyDictionary<string, double> StageSeconds { get; init; }

    public required double TotalSeconds { get; init; }

    public required DateTimeOffset Date { get; init; }

    public required string Machine { get; init; }
}
