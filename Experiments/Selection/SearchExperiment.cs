using System.Diagnostics;
using GpuNngp.Data;
using GpuNngp.Experiments.Evaluation;

namespace GpuNngp.Experiments.Selection;

/// <summary>
/// A search on a named data set, as <c>nngp search</c> runs it: load and preprocess as the paper
/// does, hold out a validation split, walk the grid with <see cref="HyperparameterSearch"/> and
/// append each finished point to the CSV at once, so that an interruption loses at most the point
/// in progress and <see cref="SearchSettings.Resume"/> continues where it stopped.
/// </summary>
public static class SearchExperiment
{
    public static SearchReport Run(
        SearchSettings settings,
        Action<SearchProgress>? progress = null,
        Action<string>? announce = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        long start = Stopwatch.GetTimestamp();
        var activation = settings.Network is null ? Nngp.ActivationByName(settings.Activation) : null;
        var searched = settings.Network is { } template ? new SearchedNetwork(template) : null;
        settings.Grid.Validate();
        searched?.CheckDepths(settings.Grid.Depths);

        var finished = FinishedPoints(settings);
        var stray = finished.FirstOrDefault(r => !settings.Grid.Contains(r.Point));
        if (stray is not null)
        {
            throw new NngpInputException(
                FormattableString.Invariant($"{settings.CsvPath}: its point GP-{stray.Point.Depth}-{stray.Point.WeightVariance:G6}-{stray.Point.BiasVariance:G6} with noise {stray.Point.Noise:G3} is not in this grid: resume with the grid options of the run that wrote it"));
        }

        var (fit, validation) = DataSplit.LoadFitAndValidation(settings.Dataset, settings.TrainSize, settings.ValidationSize, settings.Split);
        int classes = ExperimentClasses.Count(fit.Labels, validation.Labels, "validation");
        if (searched is not null)
        {
            searched = new SearchedNetwork(ClassificationExperiment.OnImages(searched.Template, fit, "training", validation, "validation"));
        }

        // Per example: for images that is per image, over its H·W·C values, fitted and validation alike.
        var xFit = Preprocessing.StandardisePerExample(fit.Images);
        var yFit = Preprocessing.OneHotTargets(fit.Labels, classes);
        var xValidation = Preprocessing.StandardisePerExample(validation.Images);

        using var engine = NngpEngine.Create(settings.Device);

        // Written only now that the data and the device are known to be good: a search that fails
        // to start leaves no file behind. Rewriting a resumed file drops a row cut off mid-write.
        SearchCsv.Rewrite(settings.CsvPath, finished, SearchCsv.Settings(settings));
        announce?.Invoke(engine.DeviceChoice);
        int toCompute = (int)(settings.Grid.Count - finished.Count); // Validate bounds the count
        announce?.Invoke(finished.Count > 0
            ? $"resuming: {finished.Count} of {settings.Grid.Count} points are in {settings.CsvPath}, {toCompute} to compute"
            : $"searching {settings.Grid.Count} points; each is appended to {settings.CsvPath} as it finishes");

        int completed = 0;
        long searchStart = Stopwatch.GetTimestamp();
        progress?.Invoke(new SearchProgress(0, toCompute, TimeSpan.Zero));
        using var csv = new StreamWriter(settings.CsvPath, append: true) { AutoFlush = true, NewLine = "\n" };
        var search = searched is null ? new HyperparameterSearch(engine, activation!, settings.Kind) : new HyperparameterSearch(engine, searched, settings.Kind);
        var results = search.Run(
            xFit, yFit, xValidation, validation.Labels, settings.Grid, finished,
            result =>
            {
                try
                {
                    csv.WriteLine(SearchCsv.Format(result));
                }
                catch (IOException e)
                {
                    throw new NngpInputException($"{settings.CsvPath}: cannot append a finished point ({e.Message}); the points before it are in the file: make room and run the same search again with SearchSettings.Resume", "resume", e);
                }

                progress?.Invoke(new SearchProgress(++completed, toCompute, Stopwatch.GetElapsedTime(searchStart)));
            },
            cancellation);

        return new SearchReport
        {
            Settings = settings,
            FitSize = fit.Count,
            Dimension = xFit.ColumnCount,
            Classes = classes,
            Results = results,
            Resumed = finished.Count,
            BestByLikelihood = HyperparameterSearch.BestByLikelihood(results),
            BestByAccuracy = HyperparameterSearch.BestByAccuracy(results),
            Backend = engine.Backend,
            DeviceChoice = engine.DeviceChoice,
            TotalSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds,
            Date = DateTimeOffset.UtcNow,
            Machine = ClassificationExperiment.MachineDescription(),
        };
    }

    /// <summary>
    /// The points an earlier run finished (resume), or none for a new search. A new search never
    /// overwrites an existing file: that file may be hours of work.
    /// </summary>
    private static List<SearchResult> FinishedPoints(SearchSettings settings)
    {
        string path = settings.CsvPath;
        if (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            throw new NngpInputException($"the search results are written as CSV: give a file name ending in .csv, not {Path.GetFileName(path)}");
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new NngpInputException($"{path}: directory {directory} does not exist");
        }

        if (File.Exists(path))
        {
            if (!settings.Resume)
            {
                throw new NngpInputException($"{path} exists: continue that search with SearchSettings.Resume, or name another file", "resume");
            }

            var file = SearchCsv.ReadFile(path);
            SearchCsv.CheckSettings(path, file.Settings, SearchCsv.Settings(settings));
            return file.Results.DistinctBy(r => r.Point).ToList(); // a repeated row counts once
        }

        return [];
    }
}
