namespace GpuNngp.Experiments.Selection;

/// <summary>What a search found, with where and how it ran.</summary>
public sealed record SearchReport
{
    public required SearchSettings Settings { get; init; }

    /// <summary>Examples fitted on at every point (the training size less the validation split).</summary>
    public required int FitSize { get; init; }

    public required int Dimension { get; init; }

    public required int Classes { get; init; }

    /// <summary>Every grid point in the grid's order, the resumed ones included.</summary>
    public required IReadOnlyList<SearchResult> Results { get; init; }

    /// <summary>Points taken from the CSV of an earlier run instead of being computed.</summary>
    public required int Resumed { get; init; }

    public required SearchResult? BestByLikelihood { get; init; }

    public required SearchResult? BestByAccuracy { get; init; }

    public required string Backend { get; init; }

    public required string DeviceChoice { get; init; }

    /// <summary>Seconds of this run (loading, the input Grams and the points computed now).</summary>
    public required double TotalSeconds { get; init; }

    public required DateTimeOffset Date { get; init; }

    public required string Machine { get; init; }

    /// <summary>The gradient optimum from the grid's best point, when <see cref="SearchSettings.Optimize"/> asked for it (null otherwise or when no point succeeded).</summary>
    public LikelihoodOptimum? Optimum { get; init; }

    public int Failed => Results.Count(r => !r.Succeeded);
}
