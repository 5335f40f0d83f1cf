using System.Diagnostics;
using System.Globalization;
using System.Text;
using GpuNngp.Data;
using GpuNngp.Experiments.Evaluation;

namespace GpuNngp.Perf.Dynamics;

/// <summary>
/// Issue 13 item 5: the training dynamics' cost on one engine — the fit (the training kernel, its
/// symmetric eigendecomposition, the projections), then a sweep of T times at the M test points
/// (means alone; means and variances) and at the N training points (the training curve's means), each
/// timed by the wall clock and the engine's stages. Rates use nominal operation counts: the
/// decomposition (10/3)·N³ (tridiagonal reduction 4/3·N³ and back-transformation 2·N³, the two BLAS-3
/// parts; the tridiagonal solver's own work is not counted), the test kernel's projection Vᵀ·K_D* 2·N²·M, the
/// means 2·N·M·C·T.
/// </summary>
public static class DynamicsBenchmark
{
    private static double Of(this StageTimings timings, Stage stage) => timings.Seconds.GetValueOrDefault(stage);

    public static DynamicsBenchmarkReport Run(DynamicsBenchmarkSettings settings, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        settings.Validate();
        var started = DateTime.UtcNow;
        var split = DataSplit.Load(settings.Dataset, settings.TrainSize, settings.TestSize);
        var (trainX, trainY, testX, _, _) = PreparedSplit.Of(split);
        var network = Nngp.FullyConnected(settings.Depth, Nngp.Relu(), settings.WeightVariance, settings.BiasVariance);
        double[] times = settings.Times();
        int n = trainX.RowCount, m = testX.RowCount, c = trainY.ColumnCount, t = times.Length;

        using var engine = NngpEngine.Create(settings.Device);
        log.WriteLine($"{engine.DeviceChoice}; N = {n}, M = {m}, C = {c}, {t} times, {(settings.Ntk ? "NTK" : "NNGP")} regime");
        var options = new DynamicsOptions { Kind = settings.Ntk ? KernelKind.Ntk : KernelKind.Nngp };
        var watch = Stopwatch.StartNew();
        using var dynamics = engine.FitDynamics(network, trainX, trainY, options);
        double fit = watch.Elapsed.TotalSeconds;
        var fitStages = dynamics.FitTimings;
        log.WriteLine(FormattableString.Invariant($"fit {fit:F2} s (eigendecomposition {fitStages.Of(Stage.Factorisation):F2} s)"));

        watch.Restart();
        var means = dynamics.PredictMean(testX, times);
        double meansWall = watch.Elapsed.TotalSeconds;
        log.WriteLine(FormattableString.Invariant($"means at {m} test points, {t} times: {meansWall:F2} s"));

        watch.Restart();
        var full = dynamics.Predict(testX, times);
        double fullWall = watch.Elapsed.TotalSeconds;
        log.WriteLine(FormattableString.Invariant($"means and variances at {m} test points, {t} times: {fullWall:F2} s"));

        double? curveWall = null;
        if (settings.TrainingCurve)
        {
            watch.Restart();
            dynamics.PredictMean(trainX, times);
            curveWall = watch.Elapsed.TotalSeconds;
            log.WriteLine(FormattableString.Invariant($"means at the {n} training points, {t} times: {curveWall:F2} s"));
        }

        double cubic = (double)n * n * n;
        return new DynamicsBenchmarkReport
        {
            Started = started.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            Machine = Environment.MachineName,
            Device = engine.DeviceChoice,
            Settings = settings,
            TrainSize = n,
            TestSize = m,
            Outputs = c,
            TimeCount = t,
            FitSeconds = fit,
            KernelSeconds = fitStages.Of(Stage.InputGram) + fitStages.Of(Stage.LayerMap),
            EigenSeconds = fitStages.Of(Stage.Factorisation),
            EigenGflops = 10.0 / 3 * cubic / fitStages.Of(Stage.Factorisation) / 1e9,
            ProjectionSeconds = fitStages.Of(Stage.Solve),
            MeansSeconds = meansWall,
            MeansTestKernelSeconds = means.Timings.Of(Stage.TestKernel),
            MeansSweepSeconds = means.Timings.Of(Stage.Mean),
            MeansSweepGflops = 2.0 * n * m * c * t / means.Timings.Of(Stage.Mean) / 1e9,
            ProjectionGflops = 2.0 * n * n * m / means.Timings.Of(Stage.TestKernel) / 1e9,
            VariancesSeconds = fullWall,
            VarianceSweepSeconds = full.Timings.Of(Stage.Variance),
            TrainingCurveSeconds = curveWall,
            SecondsPerTime = (meansWall - means.Timings.Of(Stage.TestKernel)) / t,
        };
    }
}

/// <summary>What one <c>dynamics</c> run measured (seconds, and GFLOP/s at the nominal counts of <see cref="DynamicsBenchmark"/>).</summary>
public sealed record DynamicsBenchmarkReport
{
    public required string Started { get; init; }
    public required string Machine { get; init; }
    public required string Device { get; init; }
    public required DynamicsBenchmarkSettings Settings { get; init; }
    public int TrainSize { get; init; }
    public int TestSize { get; init; }
    public int Outputs { get; init; }
    public int TimeCount { get; init; }
    public double FitSeconds { get; init; }
    public double KernelSeconds { get; init; }
    public double EigenSeconds { get; init; }
    public double EigenGflops { get; init; }
    public double ProjectionSeconds { get; init; }
    public double MeansSeconds { get; init; }
    public double MeansTestKernelSeconds { get; init; }
    public double MeansSweepSeconds { get; init; }
    public double MeansSweepGflops { get; init; }
    public double ProjectionGflops { get; init; }
    public double VariancesSeconds { get; init; }
    public double VarianceSweepSeconds { get; init; }
    public double? TrainingCurveSeconds { get; init; }
    public double SecondsPerTime { get; init; }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        void Row(string what, double seconds, string rate) => text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {seconds:F2} | {rate} |"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{Device}; N = {TrainSize:N0}, M = {TestSize:N0}, C = {Outputs}, {TimeCount} times; {Started}"));
        text.AppendLine();
        text.AppendLine("| stage | seconds | rate |");
        text.AppendLine("|---|---:|---:|");
        Row("fit: training kernel(s) (Gram, layer map, diagonal)", KernelSeconds, "");
        Row("fit: eigendecomposition (dsyevd / syevd)", EigenSeconds, string.Create(CultureInfo.InvariantCulture, $"{EigenGflops:F1} GFLOP/s at (10/3)N³"));
        Row("fit: projection Vᵀ·Y (and Vᵀ·K_DD·V in the NTK regime)", ProjectionSeconds, "");
        Row("fit, wall clock", FitSeconds, "");
        Row("test kernel and its projection Vᵀ·K_D*", MeansTestKernelSeconds, string.Create(CultureInfo.InvariantCulture, $"{ProjectionGflops:F1} GFLOP/s at 2N²M (map included)"));
        Row($"means of all {TimeCount} times", MeansSweepSeconds, string.Create(CultureInfo.InvariantCulture, $"{MeansSweepGflops:F1} GFLOP/s at 2NMCT"));
        Row("means at the test points, wall clock", MeansSeconds, string.Create(CultureInfo.InvariantCulture, $"{SecondsPerTime * 1e3:F1} ms per time after the kernel"));
        Row($"variances of all {TimeCount} times", VarianceSweepSeconds, "");
        Row("means and variances at the test points, wall clock", VariancesSeconds, "");
        if (TrainingCurveSeconds is { } curve)
        {
            Row($"means at the {TrainSize:N0} training points (the training curve), wall clock", curve, "");
        }

        return text.ToString();
    }
}
