using System.Globalization;
using GpuNngp.Experiments.Evaluation;
using Spectre.Console;

namespace GpuNngp.Cli.Output;

/// <summary>The human-readable report of an experiment: accuracy, variance, backend, stage times.</summary>
internal static class ReportPrinter
{
    public static void Print(IAnsiConsole console, ClassificationReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("stage").AddColumn(new TableColumn("seconds").RightAligned());
        foreach (var (stage, seconds) in report.StageSeconds)
        {
            table.AddRow(stage, seconds.ToString("F3", c));
        }

        table.AddRow("[bold]total[/]", $"[bold]{report.TotalSeconds.ToString("F3", c)}[/]");
        console.WriteLine($"data:         {report.Dataset} ({report.Split} split), {report.TrainSize} train / {report.TestSize} test, d = {report.Dimension}, {report.Classes} classes");
        console.WriteLine($"network:      {report.Architecture} ({report.Kernel})");
        console.WriteLine($"backend:      {report.Backend}");
        console.Write(table);
        console.WriteLine($"accuracy:     {report.Accuracy.ToString("F4", c)}");
        console.WriteLine($"mean predictive variance: {report.MeanPredictiveVariance?.ToString("G6", c) ?? "not computed (--solver pcg predicts the mean)"}");
        if (report.Pcg is { } pcg)
        {
            console.WriteLine(string.Create(c, $"pcg:          {pcg.Iterations} iterations ({pcg.Refinements} refinements), relative residual {pcg.RelativeResidual:G3}, preconditioner rank {pcg.PreconditionerRank}, {pcg.Storage} kernel; log-likelihood ± {pcg.LogMarginalLikelihoodStandardError:G3} (SLQ standard error)"));
        }

        console.WriteLine($"log marginal likelihood:  {report.LogMarginalLikelihood.ToString("G8", c)}");
        console.WriteLine($"noise σε²:    {report.Noise.ToString("G3", c)}; jitter added: {report.Jitter.ToString("G3", c)}");
    }
}
