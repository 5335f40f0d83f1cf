using System.CommandLine;
using GpuNngp.Cli.Output;
using GpuNngp.Engine.Evaluation;
using GpuNngp.Kernels;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>`nngp evaluate`: the classification experiment on a named data set, with a JSON report.</summary>
internal static class EvaluateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var architecture = new ArchitectureOptions();
        var dataset = new Option<string>("--dataset") { Description = "mnist10k (embedded), fashion-mnist (/usr/share/datasets/fashion-mnist) or a directory of MNIST-format IDX files", DefaultValueFactory = _ => "mnist10k" };
        var trainSize = new Option<int>("--train-size") { Description = "N, the first N training examples", DefaultValueFactory = _ => 1000 };
        var testSize = new Option<int>("--test-size") { Description = "M, test examples (the last M of mnist10k; the first M of a test file)", DefaultValueFactory = _ => 2000 };
        var noise = new Option<double>("--noise") { Description = "σε², observation noise added to the kernel's diagonal", DefaultValueFactory = _ => 1e-10 };
        var ntk = new Option<bool>("--ntk") { Description = "use the neural tangent kernel instead of the NNGP" };
        var json = new Option<FileInfo?>("--json") { Description = "write the report as JSON to this file" };
        var command = new Command("evaluate", "Fit the NNGP posterior on a training set and report test accuracy, variances and stage times.")
        {
            dataset, trainSize, testSize, noise, ntk, json,
        };
        architecture.AddTo(command);
        command.SetAction(parsed =>
        {
            var settings = new ClassificationSettings
            {
                Dataset = parsed.GetValue(dataset) ?? "mnist10k",
                TrainSize = parsed.GetValue(trainSize),
                TestSize = parsed.GetValue(testSize),
                Depth = parsed.GetValue(architecture.Depth),
                Activation = parsed.GetValue(architecture.Activation) ?? "relu",
                WeightVariance = parsed.GetValue(architecture.WeightVariance),
                BiasVariance = parsed.GetValue(architecture.BiasVariance),
                Noise = parsed.GetValue(noise),
                Kind = parsed.GetValue(ntk) ? KernelKind.Ntk : KernelKind.Nngp,
                Device = parsed.GetValue(architecture.Device),
            };
            FileInfo? jsonFile = parsed.GetValue(json);
            var report = ProgressDisplay.Run(console, progress => ClassificationExperiment.Run(settings, progress, line => console.WriteLine(line)));
            ReportPrinter.Print(console, report);
            if (jsonFile is not null)
            {
                JsonReport.Write(jsonFile.FullName, report);
                console.WriteLine($"report written to {jsonFile.FullName}");
            }

            return 0;
        });
        return command;
    }
}
