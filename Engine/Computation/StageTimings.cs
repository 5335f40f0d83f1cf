using System.Diagnostics;

namespace GpuNngp.Engine.Computation;

/// <summary>Wall-clock seconds per stage; stages that run several times (test tiles) accumulate.</summary>
public sealed class StageTimings
{
    private readonly Dictionary<Stage, double> _seconds = [];

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
