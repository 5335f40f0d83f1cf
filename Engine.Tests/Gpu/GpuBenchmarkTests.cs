using System.Diagnostics;
using System.Globalization;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Gpu;
using GpuNngp.Experiments.Evaluation;
using GpuNngp.Kernels.Device;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Gpu;

/// <summary>
/// The speed case (N = 50,000 train, M = 10,000 test, d = 784, ReLU depth 3, 10 outputs,
/// FP64), stage by stage. Opt-in: set GPUNNGP_BENCH (e.g. "50000,10000") and run this class alone,
/// so no other test shares the GPU while it is timed.
/// </summary>
public sealed class GpuBenchmarkTests
{
    private const int Dimension = 784;
    private const int Outputs = 10;
    private const double H100Bandwidth = 3.35e12;

    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;

    [Fact]
    public void EndToEnd_PosteriorMeanAndVariances()
    {
        var (n, m) = Sizes();
        using var engine = GpuTestSupport.CreateGpuEngine();
        var network = Nngp.FullyConnected(3, Nngp.Relu(), 1.45, 0.28);
        var x = Inputs(n, seed: 1);
        var y = Preprocessing.OneHotTargets(Labels(n, seed: 2), Outputs);
        var xTest = Inputs(m, seed: 3);

        long compileStart = Stopwatch.GetTimestamp();
        using (var warm = engine.Fit(network, x.SubMatrix(0, 256, 0, Dimension), y.SubMatrix(0, 256, 0, Outputs), new FitOptions { Noise = 1e-3 }, cancellationToken: TestContext.Current.CancellationToken))
        {
            warm.Predict(xTest.SubMatrix(0, 64, 0, Dimension), cancellationToken: TestContext.Current.CancellationToken);
        }

        double warmUp = Stopwatch.GetElapsedTime(compileStart).TotalSeconds;
        long start = Stopwatch.GetTimestamp();
        using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = 1e-3 }, cancellationToken: TestContext.Current.CancellationToken);
        var prediction = posterior.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
        double total = Stopwatch.GetElapsedTime(start).TotalSeconds;

        var fit = posterior.FitTimings;
        var predict = prediction.Timings;
        double factorisation = fit.Seconds[Stage.Factorisation];
        double variance = predict.Seconds.GetValueOrDefault(Stage.Variance);
        Write($"{engine.Backend}");
        Write($"N = {n:N0}, M = {m:N0}, d = {Dimension}, ReLU depth 3, {Outputs} outputs, FP64; warm-up (kernel compilation, small fit) {warmUp:F2} s");
        Write($"fit: {GpuAgreementTests.Describe(fit)} (sum {fit.Total:F3} s), jitter {posterior.Jitter:G3}");
        Write($"predict: {GpuAgreementTests.Describe(predict)} (sum {predict.Total:F3} s)");
        Write($"end to end (Fit + Predict calls, host preparation included): {total:F3} s");
        Write($"potrf: {(double)n * n * n / 3 / factorisation / 1e12:F1} TFLOP/s (N³/3 over the Factorisation stage, devInfo read-back included)");
        Write($"trsm: {(double)n * n * m / variance / 1e12:F1} TFLOP/s (N²M over the Variance stage)");
        Write($"syrk: {(double)n * n * Dimension / fit.Seconds[Stage.InputGram] / 1e12:F1} TFLOP/s (N²d)");
        Assert.All(prediction.Variance!, v => Assert.True(v >= 0));
        Assert.All(prediction.Mean.Enumerate(), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void LayerMap_Bandwidth()
    {
        var (n, _) = Sizes();
        GpuTestSupport.SkipUnlessAvailable();
        using var device = GpuDevice.TryOpen(out string reason) ?? throw new InvalidOperationException(reason);
        device.Bind();
        var compiled = Nngp.FullyConnected(3, Nngp.Relu(), 1.45, 0.28).Compile();
        double[] x = HostPreparation.ColumnMajor(Inputs(n, seed: 4));
        using var dX = GpuHost.Allocate(device.Accelerator, x.Length, "X");
        GpuHost.CopyIn(device.Stream, dX.View, x);
        using var k = GpuHost.Allocate(device.Accelerator, (long)n * n, "K");
        using var network = new DeviceNetwork(device.Accelerator, device.Stream, HostPreparation.View(compiled, 16));
        var hostView = HostPreparation.View(compiled, 16);
        var (layerVariances, _) = HostPreparation.Diagonals(hostView, HostPreparation.InputVariances(x, n, Dimension), KernelKind.Nngp);
        using var variances = GpuHost.Allocate(device.Accelerator, layerVariances.Length, "the per-layer variances");
        GpuHost.CopyIn(device.Stream, variances.View, layerVariances);
        var diagonal = new DeviceDiagonalView(variances.View, n);

        device.Blas.Syrk(n, Dimension, 1.0 / Dimension, dX.NativePtr, n, 0, k.NativePtr, n);
        device.Kernels.MapLowerTriangle(device.Stream, network, k.View, 64, diagonal, KernelKind.Nngp); // compile
        device.Synchronize();
        foreach (var kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            long start = Stopwatch.GetTimestamp();
            device.Kernels.MapLowerTriangle(device.Stream, network, k.View, n, diagonal, kind);
            device.Synchronize();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double bytes = 16.0 * n * (n + 1.0) / 2;
            Write($"layer map {kind}, ReLU depth 3, N = {n:N0}: {seconds * 1e3:F2} ms, {bytes / seconds / 1e9:F0} GB/s = {100 * bytes / seconds / H100Bandwidth:F0} % of 3.35 TB/s (16 bytes per lower-triangle entry)");
        }

        long syrkStart = Stopwatch.GetTimestamp();
        device.Blas.Syrk(n, Dimension, 1.0 / Dimension, dX.NativePtr, n, 0, k.NativePtr, n);
        device.Synchronize();
        double syrk = Stopwatch.GetElapsedTime(syrkStart).TotalSeconds;
        Write($"syrk alone: {syrk * 1e3:F1} ms, {(double)n * n * Dimension / syrk / 1e12:F1} TFLOP/s");
    }

    private static (int N, int M) Sizes()
    {
        string? setting = Environment.GetEnvironmentVariable("GPUNNGP_BENCH");
        if (string.IsNullOrWhiteSpace(setting))
        {
            Assert.Skip("opt-in: set GPUNNGP_BENCH=50000,10000 (train,test) and run this class alone");
        }

        string[] parts = setting.Split(',');
        int n = int.Parse(parts[0], CultureInfo.InvariantCulture);
        int m = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 10_000;
        return (n, m);
    }

    /// <summary>Gaussian inputs standardised per example (x·x/d = 1), as the data sets are.</summary>
    private static Matrix<double> Inputs(int rows, int seed)
    {
        var random = new Random(seed);
        var x = Matrix<double>.Build.Dense(rows, Dimension, (_, _) => random.NextDouble() - 0.5);
        return Preprocessing.StandardisePerExample(x);
    }

    private static int[] Labels(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(Outputs)).ToArray();
    }

    private void Write(FormattableString line) => _output?.WriteLine(line.ToString(CultureInfo.InvariantCulture));

    private void Write(string line) => _output?.WriteLine(line);
}
