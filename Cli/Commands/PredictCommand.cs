using System.CommandLine;
using System.Globalization;
using GpuNngp.Cli.Output;
using GpuNngp.Data;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>`nngp predict`: the GP posterior mean, variance, standard deviation and covariance at test inputs, inputs used as given.</summary>
internal static class PredictCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var architecture = new ArchitectureOptions();
        var trainX = new Option<FileInfo>("--train-x") { Description = "training inputs X (N×d), .npy or .csv", Required = true };
        var trainY = new Option<FileInfo>("--train-y") { Description = "training targets Y (N×C), .npy or .csv", Required = true };
        var testX = new Option<FileInfo>("--test-x") { Description = "test inputs (M×d), .npy or .csv", Required = true };
        var noise = new Option<double>("--noise") { Description = "σε², observation noise", DefaultValueFactory = _ => 1e-10 };
        var ntk = new Option<bool>("--ntk") { Description = "use the neural tangent kernel instead of the NNGP" };
        var outMean = new Option<FileInfo>("--out-mean") { Description = "posterior mean (M×C), .npy or .csv", Required = true };
        var outVar = new Option<FileInfo?>("--out-var") { Description = "posterior variance per test point (M), .npy or .csv" };
        var outStd = new Option<FileInfo?>("--out-std") { Description = "posterior standard deviation per test point (M), .npy or .csv" };
        var outCov = new Option<FileInfo?>("--out-cov") { Description = "posterior covariance of the test points (M×M), .npy or .csv" };
        var command = new Command("predict", "Fit the exact GP posterior and write its mean, variance, standard deviation or covariance at the test inputs.")
        {
            trainX, trainY, testX, noise, ntk, outMean, outVar, outStd, outCov,
        };
        architecture.AddTo(command);
        command.SetAction((parsed, cancellationToken) =>
        {
            var network = architecture.Network(parsed);
            string meanPath = parsed.GetValue(outMean)!.FullName;
            string? varPath = parsed.GetValue(outVar)?.FullName;
            string? stdPath = parsed.GetValue(outStd)?.FullName;
            string? covPath = parsed.GetValue(outCov)?.FullName;
            foreach (string? path in (string?[])[meanPath, varPath, stdPath, covPath])
            {
                if (path is not null)
                {
                    MatrixFile.CheckWritableExtension(path);
                }
            }

            (network, var sets) = NetworkInputs.Read(network, ("--train-x", parsed.GetValue(trainX)!.FullName), ("--test-x", parsed.GetValue(testX)!.FullName));
            var (x, t) = (sets[0]!, sets[1]!); // both are required
            var y = MatrixFile.Read(parsed.GetValue(trainY)!.FullName);
            new OutputFiles()
                .Input("--train-x", parsed.GetValue(trainX)!.FullName).Input("--train-y", parsed.GetValue(trainY)!.FullName).Input("--test-x", parsed.GetValue(testX)!.FullName)
                .Output("--out-mean", meanPath, OutputFiles.MatrixBytes(t.RowCount, y.ColumnCount))
                .Output("--out-var", varPath, OutputFiles.MatrixBytes(t.RowCount, 1))
                .Output("--out-std", stdPath, OutputFiles.MatrixBytes(t.RowCount, 1))
                .Output("--out-cov", covPath, OutputFiles.MatrixBytes(t.RowCount, t.RowCount))
                .Check();
            using var engine = NngpEngine.Create(parsed.GetValue(architecture.Device));
            console.WriteLine(engine.DeviceChoice);
            var kind = parsed.GetValue(ntk) ? KernelKind.Ntk : KernelKind.Nngp;
            var prediction = ProgressDisplay.Run(console, progress =>
            {
                using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = parsed.GetValue(noise), Kind = kind, Progress = progress }, cancellationToken);
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"noise σε²: {posterior.Noise:G3}; jitter added: {posterior.Jitter:G3}; log p(Y) = {posterior.LogMarginalLikelihood:F4}"));
                return covPath is not null ? posterior.PredictCovariance(t, progress, cancellationToken)
                    : varPath is not null || stdPath is not null ? posterior.Predict(t, progress, cancellationToken)
                    : posterior.PredictMean(t, progress, cancellationToken);
            });
            MatrixFile.Write(meanPath, prediction.Mean);
            var written = new List<string> { $"mean ({prediction.Mean.RowCount}×{prediction.Mean.ColumnCount}) written to {meanPath}" };
            if (prediction is Prediction withVariance)
            {
                if (varPath is not null)
                {
                    MatrixFile.WriteVector(varPath, withVariance.Variance);
                    written.Add($"variance to {varPath}");
                }

                if (stdPath is not null)
                {
                    MatrixFile.WriteVector(stdPath, withVariance.StandardDeviation);
                    written.Add($"standard deviation to {stdPath}");
                }
            }

            if (prediction is CovariancePrediction withCovariance)
            {
                MatrixFile.Write(covPath!, withCovariance.Covariance);
                written.Add($"covariance to {covPath}");
            }

            console.WriteLine(string.Join(", ", written));
            return Task.FromResult(0);
        });
        return command;
    }
}
