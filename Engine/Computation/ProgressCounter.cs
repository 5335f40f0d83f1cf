namespace GpuNngp.Engine.Computation;

/// <summary>
/// Thread-safe work counter for one stage that reports at most every 1/200 of the way, so the
/// parallel loops pay for an interlocked add, not a callback, per unit of work. It also carries the
/// stage's loop options (<see cref="Parallelism"/>: the call's thread cap and cancellation token), so
/// every loop that advances it can be capped and cancelled without another parameter.
/// </summary>
internal sealed class ProgressCounter
{
    private readonly IProgress<StageProgress>? _progress;
    private readonly Stage _stage;
    private readonly double _total;
    private readonly long _step;
    private long _done;
    private long _nextReport;

    public ProgressCounter(IProgress<StageProgress>? progress, Stage stage, double total, ParallelOptions? parallelism = null)
    {
        Parallelism = parallelism ?? new ParallelOptions();
        _progress = progress;
        _stage = stage;
        _total = Math.Max(1, total);
        _step = Math.Max(1, (long)(_total / 200));
        _nextReport = _step;
    }

    /// <summary>The options of the stage's parallel loops: <c>Parallel.For</c> stops with <see cref="OperationCanceledException"/> when its token is cancelled.</summary>
    public ParallelOptions Parallelism { get; }

    /// <summary>The call's cancellation token, for loops that check it between blocks themselves.</summary>
    public CancellationToken Cancellation => Parallelism.CancellationToken;

    public void Advance(long amount)
    {
        if (_progress is null)
        {
            return;
        }

        long done = Interlocked.Add(ref _done, amount);
        long next = Interlocked.Read(ref _nextReport);
        if (done >= next && Interlocked.CompareExchange(ref _nextReport, next + _step, next) == next)
        {
            _progress.Report(new StageProgress(_stage, Math.Min(1, done / _total)));
        }
    }

    public void Complete() => _progress?.Report(new StageProgress(_stage, 1));
}
