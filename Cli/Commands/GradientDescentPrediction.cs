using System.CommandLine;
using System.Globalization;
using GpuNngp.Cli.Output;
using GpuNngp.Data;
using MathNet.Numerics.LinearAlgebra;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>
/// `nngp predict --gd-time T[,T...]`: what the infinite ensemble of wide networks trained by gradient
/// descent predicts at the times (<see cref="NngpEngine.FitDynamics"/>). One time writes the files
/// `predict` writes (mean M×C, variance and standard deviation M, covariance M×M); several times add a
/// leading time axis (T×M×C, T×M, T×M×M), in .npy only.
/// </summary>
internal static class GradientDescentPrediction
{
    /// <summary>The options this mode adds to `predict`.</summary>
    public sealed record Flags(Option<string?> Times, Option<double> LearningRate, Option<double> DiagReg)
    {
        public static Flags Create() => new(
            new Option<string?>("--gd-time") { Description = "gradient descent: the training times t ≥ 0, comma-separated, 'inf' for t = ∞ (several: a leading time axis in the .npy outputs)" },
            new Option<double>("--learning-rate") { Description = "gradient descent: the learning rate η (with --gd-time; the loss is 1/(2NC)·Σ(f − y)²)", DefaultValueFactory = _ => 1 },
            new Option<double>("--diag-reg") { Description = "gradient descent: diag_reg·mean(diag) added to the training kernels' diagonals (with --gd-time)", DefaultValueFactory = _ => 0 });

        public Option[] All => [Times, LearningRate, DiagReg];
    }

    /// <summary>"0.5, 10,inf" → [0.5, 10, ∞]; a negative, NaN or unreadable time is refused.</summary>
    public static double[] ParseTimes(string text, string flag = "--gd-time")
    {
        var times = new List<double>();
        foreach (string part in text.Split(','))
        {
            string item = part.Trim();
            double t = item.ToUpperInvariant() is "INF" or "INFINITY" or "∞" ? double.PositiveInfinity
                : StrictNumber.TryParseDouble(item, out double value) ? value
                : throw new NngpInputException($"{flag}: '{item}' is not a time (a number ≥ 0, or inf)");
            if (double.IsNaN(t) || t < 0)
            {
                throw new NngpInputException(FormattableString.Invariant($"{flag}: a time must be ≥ 0 (or inf), got {item}"));
            }

            times.Add(t);
        }

        return [.. times];
    }

    /// <summary>Refuses --learning-rate or --diag-reg without --gd-time.</summary>
    public static void CheckUnused(ParseResult parsed, Flags flags)
    {
        foreach (var option in (Option[])[flags.LearningRate, flags.DiagReg])
        {
            if (parsed.GetResult(option) is { Implicit: false })
            {
                throw new NngpInputException($"{option.Name} is a gradient-descent setting: it needs --gd-time");
            }
        }
    }

    /// <summary>Paths of the outputs (null: not asked for).</summary>
    public sealed record Paths(string TrainX, string TrainY, string Test, string Mean, string? Variance, string? StandardDeviation, string? Covariance);

    public static void Run(
        IAnsiConsole console, ParseResult parsed, Flags flags, ArchitectureOptions architecture, bool ntk, Paths paths, CancellationToken cancellationToken)
    {
        double[] times = ParseTimes(parsed.GetValue(flags.Times)!);
        bool stacked = times.Length > 1;
        foreach (string? path in (string?[])[paths.Mean, paths.Variance, paths.StandardDeviation, paths.Covariance])
        {
            if (path is null)
            {
                continue;
            }

            MatrixFile.CheckWritableExtension(path);
            if (stacked && !path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            {
                throw new NngpInputException($"{path}: several --gd-time values write a leading time axis, in .npy only");
            }
        }

        var options = new DynamicsOptions
        {
            Kind = ntk ? KernelKind.Ntk : KernelKind.Nngp,
            LearningRate = parsed.GetValue(flags.LearningRate),
            DiagReg = parsed.GetValue(flags.DiagReg),
        };
        var network = architecture.Network(parsed);
        (network, var sets) = NetworkInputs.Read(network, ("--train-x", paths.TrainX), ("--test-x", paths.Test));
        var x = sets[0]!;
        var test = sets[1]!;
        var y = MatrixFile.Read(paths.TrainY);
        long m = test.RowCount, count = times.Length;
        new OutputFiles().Input("--train-x", paths.TrainX).Input("--train-y", paths.TrainY).Input("--test-x", paths.Test)
            .Output("--out-mean", paths.Mean, OutputFiles.MatrixBytes(count * m, y.ColumnCount))
            .Output("--out-var", paths.Variance, OutputFiles.MatrixBytes(count, m))
            .Output("--out-std", paths.StandardDeviation, OutputFiles.MatrixBytes(count, m))
            .Output("--out-cov", paths.Covariance, OutputFiles.MatrixBytes(count * m, m))
            .Check();
        using var engine = NngpEngine.Create(architecture.DeviceOf(parsed));
        console.WriteLine(engine.DeviceChoice);
        using var dynamics = ProgressDisplay.Run(console, progress => engine.FitDynamics(network, x, y, options with { Progress = progress }, cancellationToken));
        var prediction = dynamics.Predict(test, times, paths.Covariance is not null, cancellationToken);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gradient descent ({(ntk ? "NTK regime: all layers trained" : "NNGP regime: readout trained")}), η = {options.LearningRate:G4}, diag_reg = {options.DiagReg:G3}; λ_max = {dynamics.Eigenvalues[^1]:G4}; times {string.Join(", ", times.Select(t => double.IsPositiveInfinity(t) ? "inf" : t.ToString("G4", CultureInfo.InvariantCulture)))}"));
        Write(paths, prediction, stacked);
        console.WriteLine($"mean ({(stacked ? $"{count}×" : "")}{m}×{y.ColumnCount}) written to {paths.Mean}"
            + (paths.Variance is null ? "" : $", variance to {paths.Variance}")
            + (paths.StandardDeviation is null ? "" : $", standard deviation to {paths.StandardDeviation}")
            + (paths.Covariance is null ? "" : $", covariance to {paths.Covariance}"));
    }

    /// <summary>Every file after every computation: a failure leaves no file written.</summary>
    private static void Write(Paths paths, DynamicsPrediction prediction, bool stacked)
    {
        var sd = prediction.Variances.Select(v => Array.ConvertAll(v, Math.Sqrt)).ToArray();
        if (!stacked)
        {
            MatrixFile.Write(paths.Mean, prediction.Means[0]);
            WriteIf(paths.Variance, path => MatrixFile.WriteVector(path, prediction.Variances[0]));
            WriteIf(paths.StandardDeviation, path => MatrixFile.WriteVector(path, sd[0]));
            WriteIf(paths.Covariance, path => MatrixFile.Write(path, prediction.Covariances![0]));
            return;
        }

        NpyWriter.WriteStack(paths.Mean, prediction.Means);
        WriteIf(paths.Variance, path => NpyWriter.Write(path, Matrix<double>.Build.DenseOfRowArrays(prediction.Variances)));
        WriteIf(paths.StandardDeviation, path => NpyWriter.Write(path, Matrix<double>.Build.DenseOfRowArrays(sd)));
        WriteIf(paths.Covariance, path => NpyWriter.WriteStack(path, prediction.Covariances!));
    }

    private static void WriteIf(string? path, Action<string> write)
    {
        if (path is not null)
        {
            write(path);
        }
    }
}
