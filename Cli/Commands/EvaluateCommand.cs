using System.CommandLine;
using System.Globalization;
using GpuNngp.Cli.Output;
using GpuNngp.Cli.Plots;
using GpuNngp.Data;
using GpuNngp.Experiments.Evaluation;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>`nngp evaluate`: the classification experiment on a named data set, with a JSON report.</summary>
internal static class EvaluateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var architecture = new ArchitectureOptions();
        var solver = new SolverOptions();
        var dataset = new Option<string>("--dataset") { Description = DatasetOptions.DatasetDescription, DefaultValueFactory = _ => "mnist10k" };
        var split = DatasetOptions.CreateSplit();
        var trainSize = new Option<int>("--train-size") { Description = "N, training examples (the first N; with --split paper the paper's subset of N)", DefaultValueFactory = _ => 1000 };
        var testSize = new Option<int>("--test-size") { Description = $"M, test examples (the last M of mnist10k; the first M of a test file); default {DefaultTestSize}, or the whole test set with --split paper", DefaultValueFactory = _ => DefaultTestSize };
        var noise = new Option<double>("--noise") { Description = "σε², observation noise added to the kernel's diagonal", DefaultValueFactory = _ => 1e-10 };
        var ntk = new Option<bool>("--ntk") { Description = "use the neural tangent kernel instead of the NNGP" };
        var json = new Option<FileInfo?>("--json") { Description = "write the report as JSON to this file" };
        var calibration = new Option<FileInfo?>("--calibration") { Description = "plot the uncertainty calibration (realised MSE against predicted variance, equal-count bins) to this PNG" };
        var calibrationBins = new Option<int>("--calibration-bins") { Description = "equal-count bins of test points by predicted variance", DefaultValueFactory = _ => Calibration.DefaultBins };
        var lookup = new Option<LookupTableMode>("--lookup") { Description = "auto: lookup tables for activations without a closed form where inputs share one norm (CPU and GPU); off: quadrature for every entry", DefaultValueFactory = _ => LookupTableMode.Auto };
        var command = new Command("evaluate", "Fit the NNGP posterior on a training set and report test accuracy, variances, uncertainty calibration and stage times.")
        {
            dataset, split, trainSize, testSize, noise, ntk, json, calibration, calibrationBins, lookup,
        };
        architecture.AddTo(command);
        command.Add(architecture.Precision);
        solver.AddTo(command);
        command.SetAction((parsed, cancellationToken) =>
        {
            // --net: the whole network, on the data set's image shape where it is convolutional; else the paper's GP-depth-σw²-σb².
            Network? net = parsed.GetValue(architecture.Net) is null ? null : architecture.Network(parsed);
            string datasetName = parsed.GetValue(dataset) ?? "mnist10k";
            var protocol = parsed.GetValue(split) ?? DataSplit.DefaultSplit(datasetName);
            int testCount = parsed.GetResult(testSize) is { Implicit: false } || protocol != SplitProtocol.Paper ? parsed.GetValue(testSize) : DataSplit.TestCount(datasetName);
            var (solverKind, pcg) = solver.Read(parsed, console);
            var settings = new ClassificationSettings
            {
                Dataset = datasetName,
                Split = protocol,
                TrainSize = parsed.GetValue(trainSize),
                TestSize = testCount,
                Network = net,
                Depth = parsed.GetValue(architecture.Depth),
                Activation = parsed.GetValue(architecture.Activation) ?? "relu",
                WeightVariance = parsed.GetValue(architecture.WeightVariance),
                BiasVariance = parsed.GetValue(architecture.BiasVariance),
                Noise = parsed.GetValue(noise),
                Kind = parsed.GetValue(ntk) ? KernelKind.Ntk : KernelKind.Nngp,
                Device = architecture.DeviceOf(parsed),
                CalibrationBins = CheckedBins(parsed, calibrationBins, testCount),
                Lookup = parsed.GetValue(lookup),
                Precision = parsed.GetValue(architecture.Precision),
                Solver = solverKind,
                Pcg = pcg,
            };
            FileInfo? jsonFile = parsed.GetValue(json);
            FileInfo? plotFile = parsed.GetValue(calibration);
            if (plotFile is not null && !plotFile.Name.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new NngpInputException($"--calibration writes a PNG: give a file name ending in .png, not {plotFile.Name}");
            }

            new OutputFiles().Output("--json", jsonFile?.FullName).Output("--calibration", plotFile?.FullName).Check();
            var report = ProgressDisplay.Run(console, progress => ClassificationExperiment.Run(settings, progress, line => console.WriteLine(line), cancellationToken));
            ReportPrinter.Print(console, report);
            if (report.Calibration is { } result)
            {
                var c = CultureInfo.InvariantCulture;
                static string Figure(double r) => double.IsNaN(r) ? "undefined" : r.ToString("F4", CultureInfo.InvariantCulture);
                console.WriteLine(string.Create(c,
                    $"calibration:  Pearson r = {Figure(result.Pearson)}, Spearman ρ = {Figure(result.Spearman)} (per-point predicted variance vs squared error of the mean, {result.Points} test point{(result.Points == 1 ? "" : "s")})"));
                if (plotFile is not null)
                {
                    string architectureName = net is null
                        ? string.Create(c, $"{settings.Activation} GP-{settings.Depth}-{settings.WeightVariance:G4}-{settings.BiasVariance:G4}")
                        : report.Architecture;
                    string subtitle = string.Create(c, $"{settings.Dataset} {settings.TrainSize}/{settings.TestSize}, {architectureName}");
                    CalibrationPlot.Render(plotFile.FullName, result, subtitle);
                    console.WriteLine($"calibration plot written to {plotFile.FullName}");
                }
            }

            if (jsonFile is not null)
            {
                JsonReport.Write(jsonFile.FullName, report);
                console.WriteLine($"report written to {jsonFile.FullName}");
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private const int DefaultTestSize = 2000;

    /// <summary>
    /// Bins asked for explicitly must not outnumber the test points; the default is capped quietly
    /// (a 5-point evaluation simply gets 5 bins).
    /// </summary>
    /// <summary>An explicit bin count must not exceed the test size the run will use (the whole test file with --split paper).</summary>
    private static int CheckedBins(ParseResult parsed, Option<int> bins, int testSize)
    {
        int value = parsed.GetValue(bins);
        bool explicitlyGiven = parsed.GetResult(bins) is { Implicit: false };
        if (explicitlyGiven && value > testSize)
        {
            throw new NngpInputException($"calibration bins must be between 1 and the test size {testSize}, got {value}");
        }

        return value;
    }
}
