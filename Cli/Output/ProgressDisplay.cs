using System.Globalization;
using GpuNngp.Experiments.Evaluation;
using GpuNngp.Experiments.Selection;
using Spectre.Console;

namespace GpuNngp.Cli.Output;

/// <summary>
/// Runs long work under one progress bar per stage on an interactive terminal; elsewhere (pipes,
/// CI, a log file) prints one line as each stage starts and one as it finishes, since redrawn bars
/// would only litter a log and silence would leave a long run looking stuck.
/// </summary>
internal static class ProgressDisplay
{
    public static T Run<T>(IAnsiConsole console, Func<IProgress<StageProgress>?, T> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return work(new StageLines(console));
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

                        // A stage timed in pieces (test tiles) reports 0 as each piece starts: never move a bar back.
                        task.Value = Math.Max(task.Value, report.Fraction);
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

    /// <summary>
    /// Runs a long sequence of like units (a search's grid points) under one bar with the time
    /// remaining; elsewhere prints one line each tenth of the way, so a log still shows that it moves.
    /// </summary>
    public static T RunCounted<T>(IAnsiConsole console, string description, Func<Action<SearchProgress>, T> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            int nextTenth = 1;
            return work(report =>
            {
                if (report.Total > 0 && report.Completed * 10 >= nextTenth * report.Total)
                {
                    nextTenth = report.Completed * 10 / report.Total + 1;
                    console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{description}: {report.Completed}/{report.Total} ({100.0 * report.Completed / report.Total:F0} %), {Clock(report.Elapsed)} elapsed, {(report.Remaining is { } left ? Clock(left) : "?")} left"));
                }
            });
        }

        T result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask? task = null;
                result = work(report =>
                {
                    task ??= context.AddTask($"{description} ({report.Total})", maxValue: Math.Max(1, report.Total));
                    task.Value = report.Completed;
                });
                if (task is not null)
                {
                    task.Value = task.MaxValue;
                }
            });
        return result;
    }

    private static string Clock(TimeSpan span) =>
        span.TotalHours >= 1 ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : span.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    /// <summary>"stage layer-map … (0:03)" when a stage first reports, "stage layer-map done (0:41)" when it completes.</summary>
    private sealed class StageLines(IAnsiConsole console) : IProgress<StageProgress>
    {
        private readonly long _start = System.Diagnostics.Stopwatch.GetTimestamp();
        private readonly HashSet<Stage> _started = [];
        private readonly HashSet<Stage> _finished = [];

        public void Report(StageProgress value)
        {
            lock (_started)
            {
                string clock = Clock(System.Diagnostics.Stopwatch.GetElapsedTime(_start));
                string name = ClassificationExperiment.StageName(value.Stage);
                if (_started.Add(value.Stage) && value.Fraction < 1)
                {
                    console.WriteLine($"stage {name} … ({clock})");
                }

                if (value.Fraction >= 1 && _finished.Add(value.Stage))
                {
                    console.WriteLine($"stage {name} done ({clock})");
                }
            }
        }
    }

    /// <summary>Reports on the calling thread: Progress&lt;T&gt; would post to a thread pool with no sync context.</summary>
    private sealed class SynchronousProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}
