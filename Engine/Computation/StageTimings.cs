using System.Diagnostics;

namespace GpuNngp;

/// <summary>Wall-clock seconds per stage; stages that run several times (test tiles) accumulate.</summary>
public sealed class StageTimings
{
    private readonly Dictionary<Stage, double> _seconds = [];

    /// <summary>
    /// Told (fraction 0) as each timed stage starts, so that every stage — those that report no
    /// progress of their own too — shows where a long run is.
    /// </summary>
    public IProgress<StageProgress>? Progress { get; init; }

    public IReadOnlyDictionary<Stage, double> Seconds => _seconds;

    public double Total => _seconds.Values.Sum();

    public void Add(Stage stage, double seconds) =>
        _seconds[stage] = _seconds.GetValueOrDefault(stage) + seconds;

    public void Add(StageTimings other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (stage, seconds) in other._seconds)
        {
            Add(stage, seconds);
        }
    }

    /// <summary>Times <paramref name="work"/> and adds it to <paramref name="stage"/>.</summary>
    public T Time<T>(Stage stage, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Progress?.Report(new StageProgress(stage, 0));
        long start = Stopwatch.GetTimestamp();
        try
        {
            return work();
        }
        finally
        {
            Add(stage, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    public void Time(Stage stage, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Time(stage, () =>
        {
            work();
            return 0;
        });
    }
}
