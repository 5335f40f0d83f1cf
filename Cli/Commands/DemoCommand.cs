using System.CommandLine;
using GpuNngp.Cli.Output;
using GpuNngp.Experiments.Evaluation;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>
/// `nngp demo`: no arguments, no data of the user's. The paper's MNIST setting on the embedded
/// digits: first 1,000 train, last 2,000 test, ReLU GP-20-1.45-0.28.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var device = new Option<DeviceKind>("--device") { Description = "auto (GPU if usable, else CPU), cpu or gpu", DefaultValueFactory = _ => DeviceKind.Auto };
        var command = new Command("demo", "Fit and evaluate the paper's ReLU GP-20-1.45-0.28 on 1,000 embedded MNIST digits; test on 2,000 others.")
        {
            device,
        };
        command.SetAction((parsed, cancellationToken) =>
        {
            var settings = new ClassificationSettings { Device = parsed.GetValue(device) };
            console.MarkupLine("[bold]GpuNngp demo[/]: exact NNGP inference on MNIST (embedded sample; paper: 0.9279 for this setting)");
            var report = ProgressDisplay.Run(console, progress => ClassificationExperiment.Run(settings, progress, line => console.WriteLine(line), cancellationToken));
            ReportPrinter.Print(console, report);
            return Task.FromResult(0);
        });
        return command;
    }
}
