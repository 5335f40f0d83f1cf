using System.Globalization;
using GpuNngp.Data;
using GpuNngp.Engine.Gpu;
using GpuNngp.Experiments.Evaluation;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Gpu;

/// <summary>
/// The GPU against the CPU backend on the same inputs: kernels and posteriors to ≤ 1e-9 relative,
/// on random inputs and on MNIST; the memory error; the device choice. Skipped where no GPU is usable,
/// except the cases about having none.
/// </summary>
public sealed class GpuAgreementTests : IClassFixture<GpuEngineFixture>
{
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;
    private readonly GpuEngineFixture _gpu;

    public GpuAgreementTests(GpuEngineFixture gpu) => _gpu = gpu;

    public static TheoryData<string, int, KernelKind> Networks()
    {
        var data = new TheoryData<string, int, KernelKind>();
        foreach (string activation in new[] { "relu", "erf", "gelu", "tanh" })
        {
            foreach (int depth in new[] { 0, 1, 3, 20 })
            {
                foreach (var kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
                {
                    if (activation != "tanh" || depth < 20)
                    {
                        data.Add(activation, depth, kind); // tanh at depth 20: DeepQuadrature_AgreesWithTheCpu
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void KernelsAndPosterior_AgreeWithTheCpu(string activation, int depth, KernelKind kind) =>
        Agree(activation, depth, kind, train: 150, test: 70);

    /// <summary>tanh through 20 quadrature layers: smaller sets, because the CPU reference integrates every entry 20 times.</summary>
    [Theory]
    [InlineData(KernelKind.Nngp)]
    [InlineData(KernelKind.Ntk)]
    public void DeepQuadrature_AgreesWithTheCpu(KernelKind kind) => Agree("tanh", 20, kind, train: 48, test: 20);

    private void Agree(string activation, int depth, KernelKind kind, int train, int test)
    {
        var gpu = _gpu.Engine;
        using var cpu = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        var network = Nngp.FullyConnected(depth, Nngp.ActivationByName(activation), 1.6, 0.2);
        var x = Random(train, 12, seed: 1);
        var y = Random(train, 3, seed: 2);
        var xTest = Random(test, 12, seed: 3);

        double kernelError = Relative(cpu.Kernel(network, x, null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken), gpu.Kernel(network, x, null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken));
        double crossError = Relative(cpu.Kernel(network, xTest, x, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken), gpu.Kernel(network, xTest, x, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken));

        _output?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{activation} depth {depth} {kind}: K_DD {kernelError:E2}, K_*D {crossError:E2}"));
        Assert.True(kernelError <= 1e-9, $"K_DD differs by {kernelError:G3}");
        Assert.True(crossError <= 1e-9, $"K_*D differs by {crossError:G3}");
        PosteriorsAgree(cpu, gpu, network, kind, x, y, xTest, noise: 1e-2);
    }

    [Fact]
    public void Mnist_PosteriorAgreesWithTheCpu_AndTheAccuracyIsTheSame()
    {
        var gpu = _gpu.Engine;
        using var cpu = NngpEngine.Create(DeviceKind.Cpu);
        var (x, y, xTest, testLabels) = Mnist(train: 1000, test: 500);
        var network = Nngp.FullyConnected(20, Nngp.Relu(), 1.45, 0.28);

        using var expected = cpu.Fit(network, x, y, new FitOptions { Noise = 1e-10 }, cancellationToken: TestContext.Current.CancellationToken);
        using var actual = gpu.Fit(network, x, y, new FitOptions { Noise = 1e-10 }, cancellationToken: TestContext.Current.CancellationToken);
        var expectedPrediction = expected.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
        var actualPrediction = actual.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);

        double meanError = Relative(expectedPrediction.Mean, actualPrediction.Mean);
        double varianceError = Relative(Column(expectedPrediction.Variance!), Column(actualPrediction.Variance!));
        int cpuCorrect = Correct(expectedPrediction.Mean, testLabels);
        int gpuCorrect = Correct(actualPrediction.Mean, testLabels);
        _output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MNIST 1000/500 ReLU-20: mean {meanError:E2}, variance {varianceError:E2}, jitter CPU {expected.Jitter:G3} GPU {actual.Jitter:G3}, accuracy CPU {cpuCorrect / 500.0:F4} GPU {gpuCorrect / 500.0:F4}"));
        _output?.WriteLine("GPU fit: " + Describe(actual.FitTimings) + "; predict: " + Describe(actualPrediction.Timings));

        Assert.Equal(expected.Jitter, actual.Jitter);
        Assert.Equal(cpuCorrect, gpuCorrect);
        Assert.True(meanError <= 1e-9, $"mean differs by {meanError:G3}");
        Assert.True(varianceError <= 1e-9, $"variance differs by {varianceError:G3}");
    }

    /// <summary>
    /// tanh on standardised MNIST digits: both backends take the lookup tables (inputs of one norm),
    /// the GPU through its tabulated map kernels; posterior and likelihood agree to 1e-9.
    /// </summary>
    [Theory]
    [InlineData(KernelKind.Nngp)]
    [InlineData(KernelKind.Ntk)]
    public void LookupTables_OnTheGpu_AgreeWithTheCpu(KernelKind kind)
    {
        var gpu = _gpu.Engine;
        using var cpu = NngpEngine.Create(DeviceKind.Cpu);
        var (x, y, xTest, _) = Mnist(train: 300, test: 100);
        var network = Nngp.FullyConnected(5, Nngp.Tanh(), 1.96, 0.62);

        PosteriorsAgree(cpu, gpu, network, kind, x, y, xTest, noise: 1e-6); // lookup: Auto, the default
    }

    /// <summary>Fits and predicts on both engines; mean, variances and log p(Y) agree to 1e-9 relative.</summary>
    private void PosteriorsAgree(
        NngpEngine cpu, NngpEngine gpu, Network network, KernelKind kind, Matrix<double> x, Matrix<double> y, Matrix<double> xTest, double noise)
    {
        using var expected = cpu.Fit(network, x, y, new FitOptions { Noise = noise, Kind = kind }, cancellationToken: TestContext.Current.CancellationToken);
        using var actual = gpu.Fit(network, x, y, new FitOptions { Noise = noise, Kind = kind }, cancellationToken: TestContext.Current.CancellationToken);
        var expectedPrediction = expected.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
        var actualPrediction = actual.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
        double meanError = Relative(expectedPrediction.Mean, actualPrediction.Mean);
        double varianceError = Relative(Column(expectedPrediction.Variance!), Column(actualPrediction.Variance!));
        double likelihoodError = Math.Abs(expected.LogMarginalLikelihood - actual.LogMarginalLikelihood) / Math.Abs(expected.LogMarginalLikelihood);
        _output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{network} {kind}: mean {meanError:E2}, variance {varianceError:E2}, log p(Y) {likelihoodError:E2}; GPU fit: {Describe(actual.FitTimings)}"));

        Assert.True(meanError <= 1e-9, $"mean differs by {meanError:G3}");
        Assert.True(varianceError <= 1e-9, $"variance differs by {varianceError:G3}");
        Assert.True(likelihoodError <= 1e-9, $"log p(Y) differs by {likelihoodError:G3}");
    }

    [Fact]
    public void TooLargeN_GivesTheMemoryError_BeforeAllocating()
    {
        var gpu = _gpu.Engine;
        long free = MeasureFree();
        int n = (int)Math.Min(int.MaxValue, Math.Sqrt(free / 8.0) + 2000);
        var x = Matrix<double>.Build.Dense(n, 1, (i, _) => (i % 7) - 3.0);
        var y = Matrix<double>.Build.Dense(n, 1, (i, _) => i % 2);

        var error = Assert.Throws<NngpInputException>(() => gpu.Fit(Nngp.FullyConnected(1, Nngp.Relu(), 1.5, 0.1), x, y, new FitOptions { Noise = 1e-3 }, cancellationToken: TestContext.Current.CancellationToken));
        _output?.WriteLine(error.Message);
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"N = {n:N0} training points need "), error.Message, StringComparison.Ordinal);
        Assert.Contains("GB free", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoChoosesTheGpu_AndSaysSo()
    {
        GpuTestSupport.SkipUnlessAvailable();
        using var engine = NngpEngine.Create(DeviceKind.Auto);
        _output?.WriteLine(engine.DeviceChoice);
        Assert.True(engine.IsGpu);
        Assert.StartsWith("device: GPU ", engine.DeviceChoice, StringComparison.Ordinal);
        Assert.Contains("cuBLAS + cuSOLVER", engine.Backend, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAGpu_AutoFallsBackToTheCpu_AndAskingForTheGpuIsAClearError()
    {
        if (GpuTestSupport.UnavailableReason is null)
        {
            Assert.Skip("a GPU is usable here: the fallback cannot be observed");
        }

        using (var engine = NngpEngine.Create(DeviceKind.Auto))
        {
            Assert.False(engine.IsGpu);
            Assert.Contains("no usable GPU: ", engine.DeviceChoice, StringComparison.Ordinal);
        }

        var error = Assert.Throws<NngpDeviceException>(() => NngpEngine.Create(DeviceKind.Gpu));
        Assert.StartsWith("device = DeviceKind.Gpu: no usable GPU: ", error.Message, StringComparison.Ordinal);
        Assert.Equal("device", error.Parameter);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static long MeasureFree()
    {
        using var device = GpuDevice.TryOpen(out string reason) ?? throw new InvalidOperationException(reason);
        return device.FreeMemory();
    }

    /// <summary>The first <paramref name="train"/> and last <paramref name="test"/> embedded digits, preprocessed as the paper does.</summary>
    private static (Matrix<double> X, Matrix<double> Y, Matrix<double> XTest, int[] TestLabels) Mnist(int train, int test)
    {
        var split = DataSplit.Load(DataSplit.Mnist10kName, train, test);
        return (Preprocessing.StandardisePerExample(split.Train.Images), Preprocessing.OneHotTargets(split.Train.Labels, 10),
            Preprocessing.StandardisePerExample(split.Test.Images), split.Test.Labels);
    }

    private static Matrix<double> Random(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        return Matrix<double>.Build.Dense(rows, columns, (_, _) => random.NextDouble() * 2 - 1);
    }

    private static Matrix<double> Column(double[] values) => Matrix<double>.Build.Dense(values.Length, 1, values);

    private static double Relative(Matrix<double> expected, Matrix<double> actual)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ColumnCount, actual.ColumnCount);
        double scale = Math.Max(1e-300, expected.Enumerate().Max(Math.Abs));
        return (expected - actual).Enumerate().Max(Math.Abs) / scale;
    }

    private static int Correct(Matrix<double> mean, int[] labels)
    {
        int correct = 0;
        for (int i = 0; i < mean.RowCount; i++)
        {
            if (mean.Row(i).MaximumIndex() == labels[i])
            {
                correct++;
            }
        }

        return correct;
    }

    internal static string Describe(StageTimings timings) =>
        string.Join(", ", timings.Seconds.OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:F4}s")));
}
