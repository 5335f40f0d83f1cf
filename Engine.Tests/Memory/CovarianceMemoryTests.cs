using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests.Memory;

/// <summary>A posterior covariance that cannot fit is refused before any work, in one line naming the bytes.</summary>
public sealed class CovarianceMemoryTests
{
    [Fact]
    public void TheCovariance_NeedsNTimesMPlusTwoMSquaredDoubles_AndTheReserve()
    {
        var model = CpuProvider.ModelFor(HostLinearAlgebra.Managed);
        const int n = 2_000, m = 3_000;
        long needed = sizeof(double) * ((long)n * m + 2L * m * m) + model.Reserve;
        MemoryPlan.CheckCovariance(model, needed, n, m);
        var e = Assert.Throws<NngpInputException>(() => MemoryPlan.CheckCovariance(model, needed - 1, n, m));
        Assert.Contains("the covariance of M = 3,000 test points needs", e.Message, StringComparison.Ordinal);
        Assert.Contains("predict fewer points", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACovarianceLargerThanAMathNetMatrix_IsRefused_WhateverTheMemory()
    {
        // The native provider holds larger matrices than the managed one, whose own limit would speak first.
        var native = HostLinearAlgebra.Native(out string? reason);
        Assert.SkipWhen(native is null, $"no native BLAS: {reason}");
        var e = Assert.Throws<NngpInputException>(() => MemoryPlan.CheckCovariance(CpuProvider.ModelFor(native), null, 100, 50_000));
        Assert.Contains("more than a MathNet matrix holds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictCovariance_IsRefusedBeforeAnyWork_OnAHostWithoutRoom()
    {
        long available = 600L << 20;
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed, () => available);
        var x = Backends.BackendContractTests.RandomMatrix(20, 3, seed: 1);
        using var posterior = engine.Fit(Nngp.FullyConnected(1, Nngp.Relu(), 1.5, 0.1), x, x, new FitOptions { Noise = 0.01 }, TestContext.Current.CancellationToken);
        var test = Backends.BackendContractTests.RandomMatrix(8_000, 3, seed: 2);
        var e = Assert.Throws<NngpInputException>(() => posterior.PredictCovariance(test, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("the covariance of M = 8,000 test points", e.Message, StringComparison.Ordinal);
        Assert.Equal(8_000, posterior.Predict(test, cancellationToken: TestContext.Current.CancellationToken).Variance.Length);
    }
}
