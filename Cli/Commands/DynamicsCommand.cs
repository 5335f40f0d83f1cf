using System.CommandLine;
using System.Globalization;
using GpuNngp.Cli.Output;
using GpuNngp.Cli.Plots;
using GpuNngp.Data;
using GpuNngp.Experiments.Evaluation;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>
/// `nngp dynamics`: the training curve of the infinite ensemble trained by gradient descent on a
/// named data set — training and test loss and accuracy of its mean against t on a log axis, with the
/// t = ∞ limit and the exact Bayesian posterior (the NNGP, noise --noise) marked — as a PNG and JSON.
/// </summary>
internal static class DynamicsCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var architecture = new ArchitectureOptions();
        var dataset = new Option<string>("--dataset") { Description = DatasetOptions.DatasetDescription, DefaultValueFactory = _ => "mnist10k" };
        var split = DatasetOptions.CreateSplit();
        var trainSize = new Option<int>("--train-size") { Description = "N, training examples", DefaultValueFactory = _ => 256 };
        var testSize = new Option<int>("--test-size") { Description = "M, test examples", DefaultValueFactory = _ => 500 };
        var ntk = new Option<bool>("--ntk") { Description = "the NTK regime (all layers trained) instead of the NNGP regime (readout only)" };
        var gradientDescent = GradientDescentPrediction.Flags.Create();
        var times = new Option<string?>("--times")
        {
            Description = $"training times, comma-separated ('inf' allowed); default {DynamicsExperiment.DefaultTimeCount} log-spaced from 0.01/(sλ_max) to 100/(sλ_min), s = η/(NC), at most 12 decades",
        };
        var noise = new Option<double>("--noise") { Description = "σε² of the Bayesian posterior marked on the plot", DefaultValueFactory = _ => 1e-10 };
        var plot = new Option<FileInfo?>("--plot") { Description = "the training-curve picture, a .png" };
        var json = new Option<FileInfo?>("--json") { Description = "the numbers, as JSON" };
        var command = new Command("dynamics", "Train the infinite ensemble by gradient descent (NTK or NNGP regime) and draw its loss and accuracy against time, with the t = ∞ limit and the Bayesian posterior.")
        {
            dataset, split, trainSize, testSize, ntk, gradientDescent.LearningRate, gradientDescent.DiagReg, times, noise, plot, json,
        };
        architecture.AddTo(command);
        command.SetAction((parsed, cancellationToken) =>
        {
            FileInfo? plotFile = parsed.GetValue(plot), jsonFile = parsed.GetValue(json);
            if (plotFile is null && jsonFile is null)
            {
                throw new NngpInputException("nothing to write: give --plot (a .png) and/or --json");
            }

            if (plotFile is not null && !plotFile.Name.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new NngpInputException($"--plot writes a PNG: give a file name ending in .png, not {plotFile.Name}");
            }

            double[]? asked = parsed.GetValue(times) is { } text ? GradientDescentPrediction.ParseTimes(text, "--times") : null;
            new OutputFiles().Output("--plot", plotFile?.FullName).Output("--json", jsonFile?.FullName).Check();
            var options = new DynamicsOptions
            {
                Kind = parsed.GetValue(ntk) ? KernelKind.Ntk : KernelKind.Nngp,
                LearningRate = parsed.GetValue(gradientDescent.LearningRate),
                DiagReg = parsed.GetValue(gradientDescent.DiagReg),
            };
            string name = parsed.GetValue(dataset) ?? "mnist10k";
            var settings = new DynamicsSettings
            {
                Dataset = name,
                Split = parsed.GetValue(split) ?? DataSplit.DefaultSplit(name),
                TrainSize = parsed.GetValue(trainSize),
                TestSize = parsed.GetValue(testSize),
                Network = architecture.Network(parsed),
                Options = options,
                Times = asked,
                Noise = parsed.GetValue(noise),
                Device = architecture.DeviceOf(parsed),
            };
            var report = ProgressDisplay.Run(console, progress => DynamicsExperiment.Run(settings, progress, line => console.WriteLine(line), cancellationToken));
            var c = CultureInfo.InvariantCulture;
            console.WriteLine(string.Create(c,
                $"t = ∞: test accuracy {report.AtInfinity.TestAccuracy:F4}, test loss {report.AtInfinity.TestLoss:G4}; Bayesian posterior: test accuracy {report.Posterior.TestAccuracy:F4}, test loss {report.Posterior.TestLoss:G4}"));
            if (plotFile is not null)
            {
                TrainingCurvePlot.Render(plotFile.FullName, report.Times,
                [
                    new("training loss", report.TrainLoss, report.AtInfinity.TrainLoss, report.Posterior.TrainLoss, false),
                    new("test loss", report.TestLoss, report.AtInfinity.TestLoss, report.Posterior.TestLoss, false),
                    new("training accuracy", report.TrainAccuracy, report.AtInfinity.TrainAccuracy, report.Posterior.TrainAccuracy, true),
                    new("test accuracy", report.TestAccuracy, report.AtInfinity.TestAccuracy, report.Posterior.TestAccuracy, true),
                ], string.Create(c, $"{name} {report.TrainSize}/{report.TestSize}, {report.Regime}, η = {report.LearningRate:G3}"));
                console.WriteLine($"training-curve picture written to {plotFile.FullName}");
            }

            if (jsonFile is not null)
            {
                JsonReport.Write(jsonFile.FullName, report);
                console.WriteLine($"numbers written to {jsonFile.FullName}");
            }

            return Task.FromResult(0);
        });
        return command;
    }
}
