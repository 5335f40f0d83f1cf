using System.Diagnostics;
using GpuNngp.Engine.Tests.Backends;
using Xunit;

namespace GpuNngp.Engine.Tests.Cancellation;

/// <summary>
/// Fit, Predict and Kernel stop when their token is cancelled — the bar (a 7,000-point fit
/// cancelled 150 ms after it starts throws within 1 s of its start), and in the middle of the
/// factorisation, which reports its progress block by block — on the CPU and through the device
/// provider's path on ILGPU's simulator.
/// </summary>
[Collection(nameof(SoloCollection))]
public sealed class CancellationTests
{
    private static readonly Network Relu3 = Nngp.FullyConnected(3, Nngp.Relu(), 1.45, 0.28);

    [Fact]
    public void A7000PointFit_CancelledAfter150Milliseconds_ThrowsWithinOneSecondOfItsStart()
    {
        var x = BackendContractTests.RandomMatrix(7000, 20, seed: 1);
        var y = BackendContractTests.RandomMatrix(7000, 1, seed: 2);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();
        cancel.CancelAfter(TimeSpan.FromMilliseconds(150));
        Assert.ThrowsAny<OperationCanceledException>(() => engine.Fit(Relu3, x, y, new FitOptions { Noise = 1e-3 }, cancel.Token));
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the fit stopped {clock.Elapsed.TotalMilliseconds:F0} ms after it started");
    }

    [Fact]
    public void AFit_CancelledFromTheFactorisationsFirstReport_StopsInsideTheFactorisation()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var reports = CancelInFactorisation(engine, 1500);
        AssertStoppedInFactorisation(reports);
    }

    [Fact]
    public void OnTheDeviceProvidersPath_AFitCancelledInTheFactorisation_StopsThere()
    {
        var provider = new SimulatedDeviceProvider(blockedFactorisation: true);
        using var engine = new NngpEngine(provider, $"device: {provider.Name}");
        var reports = CancelInFactorisation(engine, 600);
        AssertStoppedInFactorisation(reports);
    }

    [Fact]
    public void TheFactorisationsProgress_IsMonotone_AndReachesOne()
    {
        var x = BackendContractTests.RandomMatrix(1500, 10, seed: 3);
        var y = BackendContractTests.RandomMatrix(1500, 2, seed: 4);
        var reports = new RecordingProgress();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var posterior = engine.Fit(Relu3, x, y, new FitOptions { Noise = 1e-2, Progress = reports }, TestContext.Current.CancellationToken);
        double[] fractions = reports.Of(Stage.Factorisation);
        Assert.True(fractions.Length > 3, $"{fractions.Length} factorisation reports");
        Assert.True(fractions.Zip(fractions.Skip(1)).All(p => p.Second >= p.First), string.Join(", ", fractions));
        Assert.Equal(0, fractions[0]);
        Assert.Equal(1, fractions[^1]);
        Assert.Contains(fractions, f => f > 0 && f < 1);
    }

    [Fact]
    public void APredictionOrAKernel_WithACancelledToken_StopsBeforeWorking_AndThePosteriorStaysUsable()
    {
        var x = BackendContractTests.RandomMatrix(50, 5, seed: 5);
        var y = BackendContractTests.RandomMatrix(50, 1, seed: 6);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var posterior = engine.Fit(Relu3, x, y, new FitOptions { Noise = 1e-2 }, TestContext.Current.CancellationToken);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => posterior.Predict(x, cancellationToken: cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => engine.Kernel(Relu3, x, cancellationToken: cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => engine.Fit(Relu3, x, y, cancellationToken: cancelled.Token));
        var prediction = posterior.Predict(x, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(50, prediction.Mean.RowCount);
    }

    [Fact]
    public void ALargeKernel_CancelledDuringItsLayerMap_Stops()
    {
        var x = BackendContractTests.RandomMatrix(3000, 10, seed: 7);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var cancel = new CancellationTokenSource();
        var progress = new RecordingProgress(report =>
        {
            if (report.Stage == Stage.LayerMap && report.Fraction > 0)
            {
                cancel.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            engine.HostKernel(Nngp.FullyConnected(20, Nngp.Erf(), 1.5, 0.1), x, options: new KernelOptions { Progress = progress }, cancellationToken: cancel.Token));
        Assert.True(progress.Of(Stage.LayerMap).Max() < 1, "the map ran to its end");
    }

    /// <summary>Fits n points and cancels at the factorisation's first report past its start; returns every report.</summary>
    private static RecordingProgress CancelInFactorisation(NngpEngine engine, int n)
    {
        var x = BackendContractTests.RandomMatrix(n, 10, seed: 8);
        var y = BackendContractTests.RandomMatrix(n, 1, seed: 9);
        using var cancel = new CancellationTokenSource();
        var reports = new RecordingProgress(report =>
        {
            if (report.Stage == Stage.Factorisation && report.Fraction > 0)
            {
                cancel.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => engine.Fit(Relu3, x, y, new FitOptions { Noise = 1e-2, Progress = reports }, cancel.Token));
        return reports;
    }

    private static void AssertStoppedInFactorisation(RecordingProgress reports)
    {
        double[] factorisation = reports.Of(Stage.Factorisation);
        Assert.Contains(factorisation, f => f > 0 && f < 1);
        Assert.DoesNotContain(1.0, factorisation);
        Assert.Empty(reports.Of(Stage.Solve));
    }

    /// <summary>Records every report on the reporting thread (Progress&lt;T&gt; would post them elsewhere, later).</summary>
    private sealed class RecordingProgress(Action<StageProgress>? onReport = null) : IProgress<StageProgress>
    {
        private readonly List<StageProgress> _reports = [];

        public void Report(StageProgress value)
        {
            lock (_reports)
            {
                _reports.Add(value);
            }

            onReport?.Invoke(value);
        }

        public double[] Of(Stage stage)
        {
            lock (_reports)
            {
                return [.. _reports.Where(r => r.Stage == stage).Select(r => r.Fraction)];
            }
        }
    }
}
