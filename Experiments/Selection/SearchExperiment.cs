using System.Diagnostics;
using GpuNngp.Data;
using GpuNngp.Experiments.Evaluation;
using MathNet.Numerics.LinearAlgebra;

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
        CheckScoreAndOptimisation(settings, activation);

        var finished = FinishedPoints(settings);
        var stray = finished.FirstOrDefault(r => !settings.Grid.Contains(r.Point));
        if (stray is not null)
        {
            throw new NngpInputException(
                FormattableString.Invariant($"{settings.CsvPath}: its point GP-{stray.Point.Depth}-{stray.Point.WeightVariance:G6}-{stray.Point.BiasVariance:G6} with noise {stray.Point.Noise:G3} is not in this grid: resume with the grid options of the run that wrote it"));
        }

        var (xFit, yFit, fitValidation, classes) = Load(settings, ref searched);

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
        var search = searched is null ? new HyperparameterSearch(engine, activation!, settings.Kind) : new HyperparameterSearch(engine, searched, settings.Kind, settings.Precision);
        void OnResult(SearchResult result)
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
        }

        var results = fitValidation is { } v
            ? search.Run(xFit, yFit, v.X, v.Labels, settings.Grid, finished, OnResult, cancellation)
            : search.RunByLikelihood(xFit, yFit, settings.Grid, finished, OnResult, cancellation);
        var bestByLikelihood = HyperparameterSearch.BestByLikelihood(results);
        LikelihoodOptimum? optimum = null;
        if (settings.Optimize && bestByLikelihood is not null)
        {
            announce?.Invoke("maximising the log marginal likelihood by gradient from the grid's best point (BFGS, on the host)");
            cancellation.ThrowIfCancellationRequested();
            optimum = MarginalLikelihoodOptimizer.Maximize(
                xFit, yFit, activation!, bestByLikelihood.Point,
                ParameterRange.Of(settings.Grid.WeightVariances), ParameterRange.Of(settings.Grid.BiasVariances), ParameterRange.Of(settings.Grid.Noises));
        }

        return new SearchReport
        {
            Settings = settings,
            FitSize = xFit.RowCount,
            Dimension = xFit.ColumnCount,
            Classes = classes,
            Results = results,
            Resumed = finished.Count,
            BestByLikelihood = bestByLikelihood,
            BestByAccuracy = fitValidation is null ? null : HyperparameterSearch.BestByAccuracy(results),
            Optimum = optimum,
            Backend = engine.Backend,
            DeviceChoice = engine.DeviceChoice,
            TotalSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds,
            Date = DateTimeOffset.UtcNow,
            Machine = ClassificationExperiment.MachineDescription(),
        };
    }

    /// <summary>Refuses, before any work, a score or an optimisation the settings cannot have.</summary>
    private static void CheckScoreAndOptimisation(SearchSettings settings, ActivationLayer? activation)
    {
        if ((settings.TrainInputs is null) != (settings.TrainTargets is null))
        {
            throw new NngpInputException("a search on files needs both the training inputs and the training targets (SearchSettings.TrainInputs and SearchSettings.TrainTargets)");
        }

        if (settings.TrainInputs is not null && settings.Score != SearchScore.LogMarginalLikelihood)
        {
            throw new NngpInputException("a search on files has no validation labels: score it by the log marginal likelihood (SearchScore.LogMarginalLikelihood)");
        }

        if (settings.TrainInputs is not null && settings.Network?.IsConvolutional == true)
        {
            throw new NngpInputException("a search on files takes a fully connected network; a convolutional one searches a data set's images (SearchSettings.Dataset)");
        }

        if (!settings.Optimize)
        {
            return;
        }

        if (activation is null)
        {
            throw new NngpInputException("SearchSettings.Optimize maximises over the fully connected GP-depth-σw²-σb² of SearchSettings.Activation: drop SearchSettings.Network, or drop SearchSettings.Optimize");
        }

        if (settings.Kind != KernelKind.Nngp)
        {
            throw new NngpInputException("SearchSettings.Optimize differentiates the NNGP kernel: drop KernelKind.Ntk, or drop SearchSettings.Optimize");
        }

        MarginalLikelihoodOptimizer.CheckActivation(activation);
        foreach (var (values, what) in new[] { (settings.Grid.WeightVariances, "SearchGrid.WeightVariances"), (settings.Grid.Noises, "SearchGrid.Noises") })
        {
            if (values.Min() <= 0)
            {
                throw new NngpInputException($"SearchSettings.Optimize searches {what} on a log scale: its values must be > 0");
            }
        }
    }

    /// <summary>
    /// The fitted inputs and targets, the validation split when the score needs one, and the number of
    /// outputs (classes): the files as given, or the data set preprocessed as the paper does.
    /// </summary>
    private static (Matrix<double> X, Matrix<double> Y, (Matrix<double> X, IReadOnlyList<int> Labels)? Validation, int Outputs) Load(
        SearchSettings settings, ref SearchedNetwork? searched)
    {
        if (settings.TrainInputs is { } inputs)
        {
            var x = MatrixFile.Read(inputs);
            var y = MatrixFile.Read(settings.TrainTargets!);
            if (x.RowCount != y.RowCount)
            {
                throw new NngpInputException($"the training inputs have {x.RowCount} rows but the training targets {y.RowCount}");
            }

            return (x, y, null, y.ColumnCount);
        }

        if (settings.Score == SearchScore.LogMarginalLikelihood)
        {
            // No validation split: every training example is fitted.
            var protocol = settings.Split ?? DataSplit.DefaultSplit(settings.Dataset);
            var all = protocol == SplitProtocol.First
                ? DataSplit.LoadTraining(settings.Dataset, settings.TrainSize)
                : DataSplit.LoadFitAndValidation(settings.Dataset, settings.TrainSize, 1, protocol).Fit;
            int outputs = ExperimentClasses.Count(all.Labels, [], "training");
            if (searched is not null)
            {
                searched = new SearchedNetwork(ClassificationExperiment.OnImages(searched.Template, all, "training", all, "training"));
            }

            return (Preprocessing.StandardisePerExample(all.Images), Preprocessing.OneHotTargets(all.Labels, outputs), null, outputs);
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
        return (xFit, yFit, (xValidation, validation.Labels), classes);
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
