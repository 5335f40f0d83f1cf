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
/// marginal likelihood and by held-out accuracy, with a resumable CSV, a JSON report and the phase
/// diagrams per depth.
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
        var net = ArchitectureOptions.CreateNet("instead of --activation and --depths: every grid point gives all its conv and dense layers the point's σw², σb²");
        var command = new Command("search", "Bayesian model selection: score a grid of (σw², σb², depth, noise) by log marginal likelihood and validation accuracy.")
        {
            dataset, split, trainSize, validationSize, net, activation, ntk, device, weights, biases, depths, noises, csv, resume, json, plots,
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
            var settings = new SearchSettings
            {
                Dataset = parsed.GetValue(dataset)!,
                Split = parsed.GetValue(split) ?? DataSplit.DefaultSplit(parsed.GetValue(dataset)!),
                TrainSize = parsed.GetValue(trainSize),
                ValidationSize = parsed.GetValue(validationSize),
                Activation = parsed.GetValue(activation)!,
                Network = searched?.Template,
                Kind = parsed.GetValue(ntk) ? KernelKind.Ntk : KernelKind.Nngp,
                Device = parsed.GetValue(device),
                Grid = grid,
                CsvPath = parsed.GetValue(csv)!.FullName,
                Resume = parsed.GetValue(resume),
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

        var outputs = new OutputFiles().Output("--csv", settings.CsvPath).Output("--json", json?.FullName);
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
        console.WriteLine($"data:         {s.Dataset} ({s.Split?.ToString().ToLowerInvariant() ?? "default"} split), {report.FitSize} fitted / {s.ValidationSize} validation, d = {report.Dimension}, {report.Classes} classes");
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
            .AddColumn(new TableColumn("log p(Y)").RightAligned())
            .AddColumn(new TableColumn("validation accuracy").RightAligned());
        void Row(string by, SearchResult? r)
        {
            if (r is null)
            {
                table.AddRow(by, "—", "—", "—", "—", "—", "—");
                return;
            }

            table.AddRow(by, r.Point.Depth.ToString(c), r.Point.WeightVariance.ToString("G4", c), r.Point.BiasVariance.ToString("G4", c),
                r.Point.Noise.ToString("G3", c), r.LogMarginalLikelihood.ToString("F2", c), r.ValidationAccuracy.ToString("F4", c));
        }

        Row("log marginal likelihood", report.BestByLikelihood);
        Row("validation accuracy", report.BestByAccuracy);
        foreach (int depth in s.Grid.Depths)
        {
            Row($"accuracy at depth {depth}", HyperparameterSearch.BestByAccuracy(report.Results.Where(r => r.Point.Depth == depth)));
        }

        console.Write(table);
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
            s.Dataset,
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
            report.Backend,
            report.DeviceChoice,
            report.TotalSeconds,
            report.Date,
            report.Machine,
            Points = report.Results.Select(Point),
        };
    }
}
