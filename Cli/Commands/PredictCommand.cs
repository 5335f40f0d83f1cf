using System.CommandLine;
using System.Globalization;
using GpuNngp.Cli.Output;
using GpuNngp.Data;
using MathNet.Numerics.LinearAlgebra;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>
/// `nngp predict`: the GP posterior mean, variance, standard deviation and covariance at test inputs,
/// inputs used as given. It fits
/// (--train-x, --train-y and the network) or loads a saved posterior (--model), and may save the
/// one it fitted (--save-model) to predict later without refitting.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var architecture = new ArchitectureOptions();
        var solver = new SolverOptions();
        var trainX = new Option<FileInfo?>("--train-x") { Description = "training inputs X (N×d), .npy or .csv (unless --model)" };
        var trainY = new Option<FileInfo?>("--train-y") { Description = "training targets Y (N×C), .npy or .csv (unless --model)" };
        var testX = new Option<FileInfo?>("--test-x") { Description = "test inputs (M×d), .npy or .csv" };
        var noise = new Option<double>("--noise") { Description = "σε², observation noise", DefaultValueFactory = _ => 1e-10 };
        var ntk = new Option<bool>("--ntk") { Description = "use the neural tangent kernel instead of the NNGP" };
        var outMean = new Option<FileInfo?>("--out-mean") { Description = "posterior mean (M×C), .npy or .csv (with --test-x)" };
        var outVar = new Option<FileInfo?>("--out-var") { Description = "posterior variance per test point (M), .npy or .csv" };
        var outStd = new Option<FileInfo?>("--out-std") { Description = "posterior standard deviation per test point (M), .npy or .csv" };
        var outCov = new Option<FileInfo?>("--out-cov") { Description = "posterior covariance of the test points (M×M), .npy or .csv" };
        var model = new Option<FileInfo?>("--model") { Description = "a posterior saved by --save-model: predict with it instead of fitting" };
        var saveModel = new Option<FileInfo?>("--save-model") { Description = "save the fitted posterior (network, settings, X, Y, α, Cholesky factor) to this file" };
        var gradientDescent = GradientDescentPrediction.Flags.Create();
        var command = new Command("predict", "Fit the exact GP posterior (or load a saved one) and write its mean, variance, standard deviation or covariance at the test inputs.")
        {
            trainX, trainY, testX, noise, ntk, outMean, outVar, outStd, outCov, model, saveModel,
        };
        foreach (var option in gradientDescent.All)
        {
            command.Options.Add(option);
        }

        architecture.AddTo(command);
        command.Add(architecture.Precision);
        solver.AddTo(command);
        command.SetAction((parsed, cancellationToken) =>
        {
            string? modelPath = parsed.GetValue(model)?.FullName;
            string? savePath = parsed.GetValue(saveModel)?.FullName;
            string? testPath = parsed.GetValue(testX)?.FullName;
            string? meanPath = parsed.GetValue(outMean)?.FullName;
            string? varPath = parsed.GetValue(outVar)?.FullName;
            string? stdPath = parsed.GetValue(outStd)?.FullName;
            string? covPath = parsed.GetValue(outCov)?.FullName;
            var outputs = new Outputs(meanPath, varPath, stdPath, covPath);
            bool training = parsed.GetValue(trainX) is not null && parsed.GetValue(trainY) is not null;
            if (parsed.GetValue(gradientDescent.Times) is not null)
            {
                GradientDescent(console, parsed, gradientDescent, architecture, (parsed.GetValue(trainX)?.FullName, parsed.GetValue(trainY)?.FullName), (modelPath, savePath, testPath, noise, ntk), outputs, cancellationToken);
                return Task.FromResult(0);
            }

            GradientDescentPrediction.CheckUnused(parsed, gradientDescent);
            CheckCombination(parsed, training, modelPath, savePath, testPath, outputs, [trainX, trainY, noise, ntk, architecture.Net, architecture.Depth, architecture.Activation, architecture.WeightVariance, architecture.BiasVariance, solver.Solver, solver.Tolerance, solver.PreconditionerRank, solver.KernelStorage]);
            solver.RefuseBesidePcg(parsed, ("--out-cov", covPath), ("--save-model", savePath));
            foreach (string? path in (string?[])[meanPath, varPath, stdPath, covPath])
            {
                if (path is not null)
                {
                    MatrixFile.CheckWritableExtension(path);
                }
            }

            using var engine = NngpEngine.Create(architecture.DeviceOf(parsed));
            var (posterior, t) = modelPath is not null
                ? Load(console, engine, modelPath, testPath, outputs)
                : Fit(console, engine, parsed, architecture, (trainX, trainY, noise, ntk), solver.Read(parsed, console), testPath, outputs, savePath, cancellationToken);
            using (posterior)
            {
                if (t is not null)
                {
                    Write(console, posterior, t, outputs, cancellationToken);
                }
            }

            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The files a prediction writes (null: not asked for).</summary>
    private sealed record Outputs(string? Mean, string? Variance, string? StandardDeviation, string? Covariance)
    {
        public OutputFiles Declare(OutputFiles files, long testRows, long outputs) => files
            .Output("--out-mean", Mean, OutputFiles.MatrixBytes(testRows, outputs))
            .Output("--out-var", Variance, OutputFiles.MatrixBytes(testRows, 1))
            .Output("--out-std", StandardDeviation, OutputFiles.MatrixBytes(testRows, 1))
            .Output("--out-cov", Covariance, OutputFiles.MatrixBytes(testRows, testRows));
    }

    /// <summary>Predicts as much as the outputs ask (the mean alone, the variances, or the covariance) and writes each file.</summary>
    private static void Write(IAnsiConsole console, GpPosterior posterior, Matrix<double> t, Outputs outputs, CancellationToken cancellationToken)
    {
        MeanPrediction prediction = ProgressDisplay.Run(console, progress =>
            outputs.Covariance is not null ? posterior.PredictCovariance(t, progress, cancellationToken)
            : outputs.Variance is not null || outputs.StandardDeviation is not null ? posterior.Predict(t, progress, cancellationToken)
            : posterior.PredictMean(t, progress, cancellationToken));
        MatrixFile.Write(outputs.Mean!, prediction.Mean);
        var written = new List<string> { $"mean ({prediction.Mean.RowCount}×{prediction.Mean.ColumnCount}) written to {outputs.Mean}" };
        if (prediction is Prediction withVariance)
        {
            if (outputs.Variance is not null)
            {
                MatrixFile.WriteVector(outputs.Variance, withVariance.Variance);
                written.Add($"variance to {outputs.Variance}");
            }

            if (outputs.StandardDeviation is not null)
            {
                MatrixFile.WriteVector(outputs.StandardDeviation, withVariance.StandardDeviation);
                written.Add($"standard deviation to {outputs.StandardDeviation}");
            }
        }

        if (prediction is CovariancePrediction withCovariance)
        {
            MatrixFile.Write(outputs.Covariance!, withCovariance.Covariance);
            written.Add($"covariance to {outputs.Covariance}");
        }

        console.WriteLine(string.Join(", ", written));
    }

    /// <summary>--gd-time: gradient descent instead of the posterior; refuses what it does not take before anything is read.</summary>
    private static void GradientDescent(
        IAnsiConsole console, ParseResult parsed, GradientDescentPrediction.Flags flags, ArchitectureOptions architecture, (string? X, string? Y) train,
        (string? Model, string? Save, string? Test, Option<double> Noise, Option<bool> Ntk) given, Outputs outputs, CancellationToken cancellationToken)
    {
        string? refused = given.Model is not null ? "--model" : given.Save is not null ? "--save-model"
            : parsed.GetResult(given.Noise) is { Implicit: false } ? "--noise" : null;
        if (refused is not null)
        {
            throw new NngpInputException($"--gd-time predicts gradient descent from the training set, not a GP posterior: drop {refused} (regularise with --diag-reg)");
        }

        if (train.X is null || train.Y is null || given.Test is null || outputs.Mean is null)
        {
            throw new NngpInputException("--gd-time needs --train-x, --train-y, --test-x and --out-mean");
        }

        var paths = new GradientDescentPrediction.Paths(
            train.X, train.Y, given.Test, outputs.Mean,
            outputs.Variance, outputs.StandardDeviation, outputs.Covariance);
        GradientDescentPrediction.Run(console, parsed, flags, architecture, parsed.GetValue(given.Ntk), paths, cancellationToken);
    }

    /// <summary>Refuses options that do not go together, before anything is read.</summary>
    private static void CheckCombination(ParseResult parsed, bool training, string? modelPath, string? savePath, string? testPath, Outputs outputs, Option[] fitOptions)
    {
        string? meanPath = outputs.Mean;
        if (modelPath is not null)
        {
            string[] given = [.. fitOptions.Where(option => parsed.GetResult(option) is { Implicit: false }).Select(option => option.Name)];
            if (given.Length > 0)
            {
                throw new NngpInputException($"--model holds the network, its settings and the training set: drop {string.Join(", ", given)}, or drop --model");
            }

            if (savePath is not null)
            {
                throw new NngpInputException("--save-model with --model would only copy the saved posterior: drop one of them");
            }
        }
        else if (!training)
        {
            throw new NngpInputException("--train-x and --train-y are required to fit (or give --model, a saved posterior)");
        }

        if (testPath is null)
        {
            string? given = meanPath is not null ? "--out-mean" : outputs.Variance is not null ? "--out-var"
                : outputs.StandardDeviation is not null ? "--out-std" : outputs.Covariance is not null ? "--out-cov" : null;
            if (given is not null)
            {
                throw new NngpInputException($"{given} needs --test-x, the inputs to predict at");
            }

            if (savePath is null)
            {
                throw new NngpInputException("nothing to do: give --test-x and --out-mean to predict, or --save-model to save the fitted posterior");
            }
        }
        else if (meanPath is null)
        {
            throw new NngpInputException("--out-mean is required with --test-x");
        }
    }

    private static (GpPosterior Posterior, Matrix<double>? Test) Fit(
        IAnsiConsole console, NngpEngine engine, ParseResult parsed, ArchitectureOptions architecture,
        (Option<FileInfo?> TrainX, Option<FileInfo?> TrainY, Option<double> Noise, Option<bool> Ntk) options, (SolverKind Kind, PcgOptions Pcg) solver,
        string? testPath, Outputs outputs, string? savePath, CancellationToken cancellationToken)
    {
        var network = architecture.Network(parsed);
        string xPath = parsed.GetValue(options.TrainX)!.FullName, yPath = parsed.GetValue(options.TrainY)!.FullName;
        (network, var sets) = NetworkInputs.Read(network, ("--train-x", xPath), ("--test-x", testPath));
        var x = sets[0]!;
        var y = MatrixFile.Read(yPath);
        long testRows = sets[1]?.RowCount ?? 0;
        outputs.Declare(new OutputFiles().Input("--train-x", xPath).Input("--train-y", yPath).Input("--test-x", testPath), testRows, y.ColumnCount)
            .Output("--save-model", savePath, SavedBytes(x.RowCount, x.ColumnCount, y.ColumnCount))
            .Check();
        console.WriteLine(engine.DeviceChoice);
        var kind = parsed.GetValue(options.Ntk) ? KernelKind.Ntk : KernelKind.Nngp;
        var posterior = ProgressDisplay.Run(console, progress => engine.Fit(network, x, y, new FitOptions { Noise = parsed.GetValue(options.Noise), Kind = kind, Progress = progress, Solver = solver.Kind, Pcg = solver.Pcg, Precision = parsed.GetValue(architecture.Precision) }, cancellationToken));
        try
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"noise σε²: {posterior.Noise:G3}; jitter added: {posterior.Jitter:G3}; log p(Y) = {posterior.LogMarginalLikelihood:F4}"));
            if (savePath is not null)
            {
                PosteriorFile.Save(posterior, savePath);
                console.WriteLine($"posterior (N = {posterior.TrainCount}, {posterior.Kind}) saved to {savePath}");
            }

            return (posterior, sets[1]);
        }
        catch
        {
            posterior.Dispose();
            throw;
        }
    }

    private static (GpPosterior Posterior, Matrix<double>? Test) Load(IAnsiConsole console, NngpEngine engine, string modelPath, string? testPath, Outputs outputs)
    {
        new OutputFiles()
            .Input("--model", modelPath).Input("--test-x", testPath)
            .Output("--out-mean", outputs.Mean)
            .Output("--out-var", outputs.Variance)
            .Output("--out-std", outputs.StandardDeviation)
            .Output("--out-cov", outputs.Covariance)
            .Check();
        console.WriteLine(engine.DeviceChoice);
        var posterior = PosteriorFile.Load(engine, modelPath);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"posterior loaded from {modelPath}: {posterior.Network}, {posterior.Kind}, N = {posterior.TrainCount}; noise σε²: {posterior.Noise:G3}; jitter added: {posterior.Jitter:G3}; log p(Y) = {posterior.LogMarginalLikelihood:F4}"));
        try
        {
            return (posterior, testPath is null ? null : NetworkInputs.Read(posterior.Network, ("--test-x", testPath)).Sets[0]);
        }
        catch
        {
            posterior.Dispose();
            throw;
        }
    }

    /// <summary>The least size of a saved posterior: 8 bytes a value of X, Y, α and the factor's lower triangle.</summary>
    private static long SavedBytes(long n, long d, long c) => 8 * (n * d + 2 * n * c + n * (n + 1) / 2);
}
