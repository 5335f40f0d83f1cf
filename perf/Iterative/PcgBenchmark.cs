using System.Diagnostics;
using System.Globalization;
using GpuNngp.Data;
using GpuNngp.Experiments.Evaluation;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Perf.Iterative;

/// <summary>
/// <c>pcg [--dataset NAME] [--sizes 1000,2000] [--ranks 0,100,300] [--tolerance 1e-6] [--noise 0.01]
/// [--storage fp32|recompute] [--depth 3] [--dense] [--device cpu|gpu|auto]</c>: PCG fits of ReLU GP-depth-1.6-0.1 on the first N images (one-hot − 0.1
/// targets), one row per (N, rank): the preconditioner's and the stored kernel's seconds, iterations to the
/// tolerance, seconds per iteration, and with <c>--dense</c> the Cholesky fit's seconds and the largest
/// difference of the two posteriors' means on 1,000 test images, and the PCG posterior's accuracy on them.
/// </summary>
internal static class PcgBenchmark
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string dataset = DataSplit.FashionMnistName;
        int[] sizes = [1000, 2000, 4000];
        int[] ranks = [0, 100, 300, 1000];
        double tolerance = 1e-6, noise = 1e-2;
        int depth = 3;
        var storage = KernelStorage.Fp32;
        var device = DeviceKind.Cpu;
        bool dense = false;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                static int[] Integers(string s) => [.. s.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
                switch (args[i])
                {
                    case "--dataset": dataset = Value(); break;
                    case "--sizes": sizes = Integers(Value()); break;
                    case "--ranks": ranks = Integers(Value()); break;
                    case "--tolerance": tolerance = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--noise": noise = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--depth": depth = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--storage": storage = Enum.Parse<KernelStorage>(Value(), ignoreCase: true); break;
                    case "--device": device = Enum.Parse<DeviceKind>(Value(), ignoreCase: true); break;
                    case "--dense": dense = true; break;
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            error.WriteLine($"error: pcg: {e.Message}");
            return 2;
        }

        try
        {
            Measure(dataset, sizes, ranks, tolerance, noise, depth, storage, device, dense, output);
            return 0;
        }
        catch (NngpException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static void Measure(
        string dataset, int[] sizes, int[] ranks, double tolerance, double noise, int depth, KernelStorage storage, DeviceKind device, bool dense, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        var network = Nngp.FullyConnected(depth, Nngp.Relu(), 1.6, 0.1);
        using var engine = NngpEngine.Create(device);
        output.WriteLine($"# pcg: {dataset}, ReLU GP-{depth}-1.6-0.1, noise {noise.ToString(c)}, tolerance {tolerance.ToString(c)}, {storage} storage, {engine.DeviceChoice}, {DateTimeOffset.UtcNow:u}");
        output.WriteLine("| N | rank | preconditioner s | kernel store s | iterations | s / iteration | PCG fit s | dense fit s | max mean difference | test accuracy |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (int n in sizes)
        {
            var split = DataSplit.Load(dataset, n, 1000);
            Matrix<double> x = Preprocessing.StandardisePerExample(split.Train.Images), y = Preprocessing.OneHotTargets(split.Train.Labels, 10);
            Matrix<double> xTest = Preprocessing.StandardisePerExample(split.Test.Images);
            double denseSeconds = double.NaN;
            Matrix<double>? denseMean = null;
            if (dense)
            {
                long start = Stopwatch.GetTimestamp();
                using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = noise });
                denseSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                denseMean = posterior.PredictMean(xTest).Mean;
            }

            foreach (int rank in ranks.Where(r => r <= n))
            {
                // Seconds per iteration from the iterations' own reports: the mean solve's first to its last, refinement apart.
                var clock = new IterationClock();
                var options = new FitOptions
                {
                    Noise = noise,
                    Solver = SolverKind.Pcg,
                    Pcg = new PcgOptions { Tolerance = tolerance, PreconditionerRank = rank, KernelStorage = storage, MaxIterations = 5000, IterationProgress = clock },
                };
                using var posterior = engine.Fit(network, x, y, options);
                PcgSummary summary = posterior.Pcg!;
                var timings = posterior.FitTimings.Seconds;
                double Seconds(Stage stage) => timings.TryGetValue(stage, out double s) ? s : 0;
                var mean = posterior.PredictMean(xTest);
                string difference = denseMean is null ? "" : (mean.Mean - denseMean).Enumerate().Max(Math.Abs).ToString("G3", c);
                double accuracy = ClassificationExperiment.Accuracy(mean.PredictedClasses(), split.Test.Labels);
                output.WriteLine(string.Create(c,
                    $"| {n} | {summary.PreconditionerRank} | {Seconds(Stage.Factorisation):F2} | {Seconds(Stage.LayerMap):F2} | {summary.Iterations} | {clock.SecondsPerIteration:F4} | {summary.Seconds:F2} | {(dense ? denseSeconds.ToString("F2", c) : "")} | {difference} | {accuracy:F4} |"));
            }
        }
    }

    /// <summary>Times the mean solve's iterations as they are reported (synchronously, on the fit's thread).</summary>
    private sealed class IterationClock : IProgress<PcgIteration>
    {
        private long _first;
        private long _last;
        private int _count;

        /// <summary>Seconds from the first reported iteration to the last, per iteration after the first.</summary>
        public double SecondsPerIteration => _count < 2 ? double.NaN : Stopwatch.GetElapsedTime(_first, _last).TotalSeconds / (_count - 1);

        public void Report(PcgIteration value)
        {
            if (value.System != "mean")
            {
                return;
            }

            _last = Stopwatch.GetTimestamp();
            if (_count++ == 0)
            {
                _first = _last;
            }
        }
    }
}
