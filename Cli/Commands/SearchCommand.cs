using System.CommandLine;
using System.Globalization;
using GpuNngp.Cli.Output;
using GpuNngp.Cli.Plots;
using GpuNngp.Data;
using GpuNngp.Experiments.Selection;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>
/// `nngp search`: Bayesian model selection over the paper's grid (or one given), scored by log
/// marginal likelihood and by held-out accuracy (or, with --score lml, by the likelihood alone, on a
/// data set or on regression files), optionally refined by gradient (--optimize), with a resumable
/// CSV, a JSON report and the phase diagrams per depth.
/// </summary>
internal static class SearchCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var dataset = new Option<string>("--dataset") { Description = DatasetOptions.DatasetDescription, DefaultValueFactory = _ => "mnist10k" };
        var split = DatasetOptions.CreateSplit();
        var trainSize = new Option<int>("--train-size") { Description = "training examples used, the validation split included (the first N of the training data); with --split paper the paper's training subset of N alone", DefaultValueFactory = _ => 2000 };
        var validationSize = new Option<int>("--validation-size") { Description = "the last V of those, held out and scored by accuracy; with --split paper the first V of the paper's 10,000 validation images", DefaultValueFactory = _ => 1000 };
        var activation = new Option<string>("--activation") { Description = $"one of: {string.Join(", ", Nngp.ActivationNames)}", DefaultValueFactory = _ => "relu" };
        var ntk = new Option<bool>("--ntk") { Description = "search the neural tangent kernel instead of the NNGP" };
        var device = new Option<DeviceKind>("--device") { Description = "auto (GPU if usable, else CPU), cpu or gpu", DefaultValueFactory = _ => DeviceKind.Auto };
        var weights = new Option<string>("--weight-vars") { Description = "σw² values: 'a,b,c' or 'start:stop:count' (the paper: 0.1:5:30)", DefaultValueFactory = _ => "0.1:5:30" };
        var biases = new Option<string>("--bias-vars") { Description = "σb² values: 'a,b,c' or 'start:stop:count' (the paper: 0:2:30)", DefaultValueFactory = _ => "0:2:30" };
        var depths = new Option<string>("--depths") { Description = "depths: 'a,b,c' (the paper: 1,2,3,5,7,20)", DefaultValueFactory = _ => "1,2,3,5,7,20" };
        var noises = new Option<string>("--noises") { Description = "observation noise σε² values: 'a,b,c' or 'start:stop:count'", DefaultValueFactory = _ => "1e-10" };
        var csv = new Option<FileInfo>("--csv") { Description = "the results, one row per point, appended as each finishes", Required = true };
        var resume = new Option<bool>("--resume") { Description = "continue the search in --csv, computing only the points it lacks" };
        var json = new Option<FileInfo?>("--json") { Description = "write the report (settings, best points, every point) as JSON to this file" };
        var plots = new Option<DirectoryInfo?>("--plots") { Description = "write the phase diagrams (accuracy and log marginal likelihood per depth, with χ₁ = 1) as PNGs into this directory" };
        var score = new Option<string>("--score") { Description = "accuracy (log marginal likelihood and held-out accuracy; needs labels) or lml (the log marginal likelihood alone: no validation split, any targets)", DefaultValueFactory = _ => "accuracy" };
        var trainX = new Option<FileInfo?>("--train-x") { Description = "instead of --dataset: training inputs X (N×d), .npy or .csv, used as given (with --train-y and --score lml)" };
        var trainY = new Option<FileInfo?>("--train-y") { Description = "training targets Y (N×C), .npy or .csv, beside --train-x" };
        var optimize = new Option<bool>("--optimize") { Description = "then maximise the log marginal likelihood by gradient (BFGS) from the grid's best point, within the grid's ranges (relu, leaky-relu, abs, identity, erf; NNGP)" };
        var net = ArchitectureOptions.CreateNet("instead of --activation and --depths: every grid point gives all its conv and dense layers the point's σw², σb²");
        var precision = ArchitectureOptions.CreatePrecision();
        var command = new Command("search", "Bayesian model selection: score a grid of (σw², σb², depth, noise) by log marginal likelihood and validation accuracy.")
        {
            dataset, split, trainSize, validationSize, net, activation, ntk, device, weights, biases, depths, noises, score, trainX, trainY, optimize, csv, resume, json, plots, precision,
        };
        command.SetAction((parsed, cancellation) =>
        {
            // --net: the σw², σb² of every layer with weights vary together; the depth is the network's.
            SearchedNetwork? searched = null;
            if (parsed.GetValue(net) is { } spec)
            {
                ArchitectureOptions.RefuseBesideNet(parsed, activation, depths);
                if (parsed.GetValue(plots) is not null)
                {
                    throw new NngpInputException("--plots draws the phase diagrams of the fully connected GP-depth-σw²-σb² (its χ₁ = 1 boundary): drop --plots, or drop --net");
                }

                searched = new SearchedNetwork(ArchitectureOptions.ParseNet(spec));
            }

            var grid = new SearchGrid(
                SearchGrid.ParseValues(parsed.GetValue(weights)!, "--weight-vars"),
                SearchGrid.ParseValues(parsed.GetValue(biases)!, "--bias-vars"),
                searched is null ? ParseDepths(parsed.GetValue(depths)!) : [searched.Depth],
                SearchGrid.ParseValues(parsed.GetValue(noises)!, "--noises"));
            grid.Validate();
            var scoreBy = ParseScore(parsed.GetValue(score)!);
            if (scoreBy == SearchScore.LogMarginalLikelihood && parsed.GetValue(plots) is not null)
            {
                throw new NngpInputException("--plots draws the accuracy and likelihood phase diagrams of a search scored by accuracy: drop --plots, or drop --score lml");
            }

            var settings = new SearchSettings
            {
                Dataset = parsed.GetValue(dataset)!,
                Split = parsed.GetValue(split) ?? DataSplit.DefaultSplit(parsed.GetValue(dataset)!),
                TrainSize = parsed.GetValue(trainSize),
                ValidationSize = parsed.GetValue(validationSize),
                Activation = parsed.GetValue(activation)!,
                Network = searched?.Template,
                Kind = parsed.GetValue(ntk) ? KernelKind.Ntk : KernelKind.Nngp,
                Precision = parsed.GetValue(precision),
                Device = parsed.GetValue(device),
                Grid = grid,
                CsvPath = parsed.GetValue(csv)!.FullName,
                Resume = parsed.GetValue(resume),
                Score = scoreBy,
                TrainInputs = parsed.GetValue(trainX)?.FullName,
                TrainTargets = parsed.GetValue(trainY)?.FullName,
                Optimize = parsed.GetValue(optimize),
            };
            DirectoryInfo? plotDirectory = parsed.GetValue(plots);
            FileInfo? jsonFile = parsed.GetValue(json);
            CheckOutputs(grid, settings, plotDirectory, jsonFile);

            SearchReport report;
            try
            {
                report = ProgressDisplay.RunCounted(console, "grid points", progress =>
                    SearchExperiment.Run(settings, progress, line => console.WriteLine(line), cancellation));
            }
            catch (OperationCanceledException)
            {
                throw new NngpInputException($"search interrupted; the finished points are in {settings.CsvPath}: run the same command with --resume to continue");
            }

            Print(console, report);
            if (jsonFile is not null)
            {
                JsonReport.Write(jsonFile.FullName, JsonView(report));
                console.WriteLine($"report written to {jsonFile.FullName}");
            }

            if (plotDirectory is not null)
            {
                var written = SearchPlots.Write(plotDirectory.FullName, report);
                console.WriteLine($"{written.Count} phase diagrams written to {plotDirectory.FullName}");
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static SearchScore ParseScore(string text) => text.ToLowerInvariant() switch
    {
        "accuracy" => SearchScore.Accuracy,
        "lml" => SearchScore.LogMarginalLikelihood,
        _ => throw new NngpInputException($"--score must be accuracy or lml, got '{text}'"),
    };

    private static int[] ParseDepths(string text)
    {
        var values = SearchGrid.ParseValues(text, "--depths");
        if (values.Any(v => v != Math.Floor(v) || v < 0 || v > 10_000))
        {
            throw new NngpInputException($"--depths must be whole numbers from 0 to 10000, got '{text}'");
        }

        return values.Select(v => (int)v).ToArray();
    }

    /// <summary>Every output checked before hours of work: plot axes, directories, file types.</summary>
    private static void CheckOutputs(SearchGrid grid, SearchSettings settings, DirectoryInfo? plots, FileInfo? json)
    {
        if (plots is not null)
        {
            if (!plots.Exists)
            {
                throw new NngpInputException($"--plots: directory {plots.FullName} does not exist");
            }

            if (!PhaseDiagram.IsEquallySpaced(grid.WeightVariances) || !PhaseDiagram.IsEquallySpaced(grid.BiasVariances))
            {
                throw new NngpInputException("--plots needs σw² and σb² grids of at least two increasing, equally spaced values (e.g. 'start:stop:count')");
            }

            _ = SignalPropagation.For(settings.Activation); // an activation without a boundary fails now, not after the search
        }

        if (json is not null && !json.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            throw new NngpInputException($"--json writes JSON: give a file name ending in .json, not {json.Name}");
        }

        var outputs = new OutputFiles().Input("--train-x", settings.TrainInputs).Input("--train-y", settings.TrainTargets)
            .Output("--csv", settings.CsvPath).Output("--json", json?.FullName);
        if (plots is not null)
        {
            outputs.Output("--plots", Path.Combine(plots.FullName, "depth-plot.png"));
        }

        outputs.Check();
    }

    private static void Print(IAnsiConsole console, SearchReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var s = report.Settings;
        bool byAccuracy = s.Score == SearchScore.Accuracy;
        console.WriteLine(s.TrainInputs is not null
            ? $"data:         {s.TrainInputs} and {s.TrainTargets}, {report.FitSize} fitted, d = {report.Dimension}, {report.Classes} outputs; scored by log marginal likelihood alone"
            : byAccuracy
                ? $"data:         {s.Dataset} ({s.Split?.ToString().ToLowerInvariant() ?? "default"} split), {report.FitSize} fitted / {s.ValidationSize} validation, d = {report.Dimension}, {report.Classes} classes"
                : $"data:         {s.Dataset} ({s.Split?.ToString().ToLowerInvariant() ?? "default"} split), {report.FitSize} fitted (no validation split), d = {report.Dimension}, {report.Classes} classes; scored by log marginal likelihood alone");
        if (s.Network is not null)
        {
            console.WriteLine($"network:      {s.Network} (σw², σb² of every conv and dense layer from the grid)");
        }

        console.WriteLine($"backend:      {report.Backend}");
        console.WriteLine(string.Create(c, $"grid:         {s.Grid.Count} points ({report.Resumed} resumed), {report.Failed} failed (not factorisable or not finite); {report.TotalSeconds:F1} s"));
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("best by")
            .AddColumn("depth")
            .AddColumn(new TableColumn("σw²").RightAligned())
            .AddColumn(new TableColumn("σb²").RightAligned())
            .AddColumn(new TableColumn("noise").RightAligned())
            .AddColumn(new TableColumn("log p(Y)").RightAligned());
        if (byAccuracy)
        {
            table.AddColumn(new TableColumn("validation accuracy").RightAligned());
        }

        void Row(string by, SearchPoint? p, double logLikelihood, double accuracy)
        {
            string[] cells = p is not { } point
                ? [by, "—", "—", "—", "—", "—", "—"]
                : [by, point.Depth.ToString(c), point.WeightVariance.ToString("G4", c), point.BiasVariance.ToString("G4", c),
                    point.Noise.ToString("G3", c), logLikelihood.ToString("F2", c), double.IsNaN(accuracy) ? "—" : accuracy.ToString("F4", c)];
            table.AddRow(byAccuracy ? cells : cells[..^1]);
        }

        void ResultRow(string by, SearchResult? r) => Row(by, r?.Point, r?.LogMarginalLikelihood ?? double.NaN, r?.ValidationAccuracy ?? double.NaN);

        ResultRow("log marginal likelihood", report.BestByLikelihood);
        if (report.Optimum is { } optimum)
        {
            Row("log p(Y), optimised by gradient", optimum.Point, optimum.LogMarginalLikelihood, double.NaN);
        }

        if (byAccuracy)
        {
            ResultRow("validation accuracy", report.BestByAccuracy);
            foreach (int depth in s.Grid.Depths)
            {
                ResultRow($"accuracy at depth {depth}", HyperparameterSearch.BestByAccuracy(report.Results.Where(r => r.Point.Depth == depth)));
            }
        }
        else
        {
            foreach (int depth in s.Grid.Depths)
            {
                ResultRow($"log p(Y) at depth {depth}", HyperparameterSearch.BestByLikelihood(report.Results.Where(r => r.Point.Depth == depth)));
            }
        }

        console.Write(table);
        if (report.Optimum is { } found)
        {
            console.WriteLine(string.Create(c,
                $"gradient optimisation: {found.Evaluations} evaluations, log p(Y) {found.StartLogMarginalLikelihood:F4} at the grid's best point → {found.LogMarginalLikelihood:F4}; {found.Stopped}"));
        }
    }

    /// <summary>The report as JSON can hold it: no NaN, so a failed point's scores are null.</summary>
    private static object JsonView(SearchReport report)
    {
        static double? Finite(double v) => double.IsFinite(v) ? v : null;
        static object? Point(SearchResult? r) => r is null ? null : new
        {
            r.Point.Depth,
            r.Point.WeightVariance,
            r.Point.BiasVariance,
            r.Point.Noise,
            LogMarginalLikelihood = Finite(r.LogMarginalLikelihood),
            ValidationAccuracy = Finite(r.ValidationAccuracy),
            Jitter = Finite(r.Jitter),
            r.Failure,
        };
        var s = report.Settings;
        return new
        {
            Dataset = s.TrainInputs is null ? s.Dataset : null,
            s.TrainInputs,
            s.TrainTargets,
            Score = s.Score == SearchScore.Accuracy ? "accuracy" : "lml",
            Split = s.Split?.ToString().ToLowerInvariant(),
            s.TrainSize,
            s.ValidationSize,
            report.FitSize,
            report.Dimension,
            report.Classes,
            Activation = s.Network is null ? s.Activation : null,
            Network = s.Network?.ToString(),
            Kernel = s.Kind.ToString().ToUpperInvariant(),
            Grid = new { s.Grid.WeightVariances, s.Grid.BiasVariances, s.Grid.Depths, s.Grid.Noises, s.Grid.Count },
            Csv = s.CsvPath,
            report.Resumed,
            report.Failed,
            BestByLikelihood = Point(report.BestByLikelihood),
            BestByAccuracy = Point(report.BestByAccuracy),
            Optimum = report.Optimum is not { } o ? null : new
            {
                o.Point.Depth,
                o.Point.WeightVariance,
                o.Point.BiasVariance,
                o.Point.Noise,
                o.LogMarginalLikelihood,
                o.StartLogMarginalLikelihood,
                o.Evaluations,
                o.Stopped,
            },
            report.Backend,
            report.DeviceChoice,
            report.TotalSeconds,
            report.Date,
            report.Machine,
            Points = report.Results.Select(Point),
        };
    }
}
