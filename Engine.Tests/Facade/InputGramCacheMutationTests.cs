using GpuNngp.Engine.Tests.Backends;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Facade;

/// <summary>
/// An input Gram cache is matched by the values it was computed from, not by the matrix object: a
/// caller who changes a matrix in place after <c>CacheInputGram</c> no longer gets the stale Gram
/// (with the old match by reference, the first
/// case below fits silently with the stale Gram and the second predicts a mean off by 1.13 of its
/// scale: measured by putting ReferenceEquals back, 1 December 2026), and an
/// equal copy of the matrix still gets the cached one.
/// </summary>
public sealed class InputGramCacheMutationTests
{
    private static readonly Network Net = Nngp.FullyConnected(2, Nngp.Relu(), 1.45, 0.28);

    [Fact]
    public void TrainingMatrixChangedAfterCaching_IsRefused_NotFittedWithTheStaleGram()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var (x, y, validation) = Data();
        using var cache = engine.CacheInputGram(x, validation);

        x.SetRow(0, x.Row(0) * 3);

        var e = Assert.Throws<ArgumentException>(() => engine.Fit(Net, x, y, new FitOptions { Noise = 0.01, InputGram = cache }, TestContext.Current.CancellationToken));
        Assert.Contains("changed since CacheInputGram", e.Message, StringComparison.Ordinal);
        Assert.Equal("options", e.ParamName); // the cache travels in FitOptions.InputGram
    }

    [Fact]
    public void ValidationMatrixChangedAfterCaching_IsPredictedFromItsValuesNow()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var (x, y, validation) = Data();
        using var cache = engine.CacheInputGram(x, validation);
        using var cached = engine.Fit(Net, x, y, new FitOptions { Noise = 0.01, InputGram = cache }, TestContext.Current.CancellationToken);
        using var plain = engine.Fit(Net, x, y, new FitOptions { Noise = 0.01 }, TestContext.Current.CancellationToken);

        validation.SetRow(2, validation.Row(2) * -2);
        validation[4, 1] += 0.5;

        var stale = cached.Predict(validation, cancellationToken: TestContext.Current.CancellationToken);
        var fresh = plain.Predict(validation, cancellationToken: TestContext.Current.CancellationToken);
        BackendContractTests.AssertClose(fresh.Mean, stale.Mean, 1e-12);
        for (int i = 0; i < validation.RowCount; i++)
        {
            Assert.Equal(fresh.Variance![i], stale.Variance![i], 1e-12);
        }
    }

    [Fact]
    public void EqualCopiesOfTheCachedMatrices_UseTheCache_AndPredictAsWithout()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var (x, y, validation) = Data();
        using var cache = engine.CacheInputGram(x, validation);

        using var cached = engine.Fit(Net, x.Clone(), y, new FitOptions { Noise = 0.01, InputGram = cache }, TestContext.Current.CancellationToken);
        using var plain = engine.Fit(Net, x, y, new FitOptions { Noise = 0.01 }, TestContext.Current.CancellationToken);

        Assert.Equal(plain.LogMarginalLikelihood, cached.LogMarginalLikelihood, 1e-10 * Math.Abs(plain.LogMarginalLikelihood));
        BackendContractTests.AssertClose(plain.Predict(validation, cancellationToken: TestContext.Current.CancellationToken).Mean, cached.Predict(validation.Clone(), cancellationToken: TestContext.Current.CancellationToken).Mean, 1e-12);
    }

    [Fact]
    public void CacheOfAnotherEngine_IsRefused()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var other = NngpEngine.Create(DeviceKind.Cpu);
        var (x, y, _) = Data();
        using var cache = other.CacheInputGram(x);

        var e = Assert.Throws<ArgumentException>(() => engine.Fit(Net, x, y, new FitOptions { Noise = 0.01, InputGram = cache }, TestContext.Current.CancellationToken));
        Assert.Contains("another engine", e.Message, StringComparison.Ordinal);
    }

    private static (Matrix<double> X, Matrix<double> Y, Matrix<double> Validation) Data() =>
        (BackendContractTests.RandomMatrix(20, 4, seed: 91), BackendContractTests.RandomMatrix(20, 2, seed: 92), BackendContractTests.RandomMatrix(8, 4, seed: 93));
}
