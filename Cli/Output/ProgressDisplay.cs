using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Evaluation;
using Spectre.Console;

namespace GpuNngp.Cli.Output;

/// <summary>
/// Runs long work under one progress bar per stage on an interactive terminal; elsewhere (pipes,
/// CI) runs it quietly, since redrawn bars would only litter a log.
/// </summary>
internal static class ProgressDisplay
{
    public static T Run<T>(IAnsiConsole console, Func<IProgress<StageProgress>?, T> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return work(null);
        }

        T result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<Stage, ProgressTask>();
                var progress = new SynchronousProgress(report =>
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(report.Stage, out var task))
                        {
                            task = context.AddTask(ClassificationExperiment.StageName(report.Stage), maxValue: 1);
                            tasks[report.Stage] = task;
                        }

                        task.Value = report.Fraction;
                    }
                });
                result = work(progress);
                foreach (var task in tasks.Values)
                {
                    task.Value = task.MaxValue;
                }
            });
        return result;
    }

    /// <summary>Reports on the calling thread: Progress&lt;T&gt; would post to a thread pool with no sync context.</summary>
    private sealed class SynchronousProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}
