using System.Diagnostics;

namespace GpuNngp;

/// <summary>
/// Wall-clock seconds per stage (<see cref="GpPosterior.FitTimings"/>, <see cref="MeanPrediction.Timings"/>);
/// stages that run several times (test tiles) accumulate. A new one is empty: add a fit's and a
/// prediction's to it (<see cref="Add(StageTimings)"/>) for the time of both.
/// </summary>
public sealed class StageTimings
{
    private readonly Dictionary<Stage, double> _seconds = [];

    /// <summary>
    /// Told (fraction 0) as each timed stage starts, so that every stage — those that report no
    /// progress of their own too — shows where a long run is.
    /// </summary>
    internal IProgress<StageProgress>? Progress { get; init; }

    /// <summary>Seconds per stage; a stage that did not run has no entry.</summary>
    public IReadOnlyDictionary<Stage, double> Seconds => _seconds;

    /// <summary>The seconds of every stage together (the work the engine timed, not the call's wall time).</summary>
    public double Total => _seconds.Values.Sum();

    /// <summary>Adds <paramref name="seconds"/> to <paramref name="stage"/>.</summary>
    internal void Add(Stage stage, double seconds) =>
        _seconds[stage] = _seconds.GetValueOrDefault(stage) + seconds;

    /// <summary>Adds every stage's seconds of <paramref name="other"/> to this one's.</summary>
    /// <param name="other">The timings to add (unchanged).</param>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    public void Add(StageTimings other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (stage, seconds) in other._seconds)
        {
            Add(stage, seconds);
        }
    }

    /// <summary>Times <paramref name="work"/> and adds it to <paramref name="stage"/>.</summary>
    internal T Time<T>(Stage stage, Func<T> work)
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

    /// <summary>Times <paramref name="work"/> and adds it to <paramref name="stage"/>.</summary>
    internal void Time(Stage stage, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Time(stage, () =>
        {
            work();
            return 0;
        });
    }
}
