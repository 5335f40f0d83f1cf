namespace GpuNngp.Experiments.Selection;

/// <summary>How far a search has come in this run: points computed of those it had left to compute.</summary>
public readonly record struct SearchProgress(int Completed, int Total, TimeSpan Elapsed)
{
    /// <summary>Time left at this run's average rate so far; null before the first point finishes.</summary>
    public TimeSpan? Remaining => Completed == 0 ? null : Elapsed / Completed * (Total - Completed);
}
