using GpuNngp.Data;
using GpuNngp.Engine.Tests.Backends;
using GpuNngp.Engine.Tests.Gpu;
using Xunit;

namespace GpuNngp.Engine.Tests.Errors;

/// <summary>
/// Each failure raises its own kind of <see cref="NngpException"/>: bad input, a numerical failure
/// or the device, so that a caller (the search, the command line) tells them apart by type, and an
/// error about one parameter names it in <see cref="NngpException.Parameter"/>.
/// </summary>
public sealed class ExceptionKindTests
{
    private static readonly MathNet.Numerics.LinearAlgebra.Matrix<double> Distinct = BackendContractTests.RandomMatrix(10, 5, seed: 70);

    [Fact]
    public void KernelNotPositiveDefinite_WithANoRetryPolicy_IsNumerical_AndNamesTheNoise()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var x = Distinct.Stack(Distinct); // every point twice: K_DD is singular
        var y = BackendContractTests.RandomMatrix(20, 1, seed: 71);
        var noRetry = new JitterPolicy(InitialRelativeJitter: 1e-10, MaxRelativeJitter: 1e-20);

        var error = Assert.Throws<NngpNumericalException>(() => engine.Fit(Nngp.FullyConnected(2, Nngp.Relu(), 1.45, 0.28), x, y, new FitOptions { Noise = 0, Jitter = noRetry }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("not positive definite", error.Message, StringComparison.Ordinal);
        Assert.Contains("the noise parameter", error.Message, StringComparison.Ordinal);
        Assert.Equal("noise", error.Parameter);
        Assert.IsNotAssignableFrom<NngpInputException>(error);
    }

    [Fact]
    public void NonFiniteKernel_IsANumericalFailure_NotBadInput()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var network = Nngp.FullyConnected(1, Nngp.Custom("exploding", v => v > 0.5 ? double.PositiveInfinity : v), 1, 0);
        var error = Assert.Throws<NonFiniteResultException>(() => engine.Kernel(network, Distinct, cancellationToken: TestContext.Current.CancellationToken));
        Assert.IsAssignableFrom<NngpNumericalException>(error);
        Assert.IsNotAssignableFrom<NngpInputException>(error);
    }

    [Fact]
    public void AskingForTheGpuWhereThereIsNone_IsADeviceError_NamingTheDevice()
    {
        Assert.SkipWhen(GpuTestSupport.UnavailableReason is null, "a GPU is usable here: asking for it succeeds");
        var error = Assert.Throws<NngpDeviceException>(() => NngpEngine.Create(DeviceKind.Gpu));
        Assert.Equal("device", error.Parameter);
        Assert.Contains("DeviceKind.Gpu", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotThere_IsBadInput()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nngp-absent-{Guid.NewGuid():N}.npy");
        var error = Assert.Throws<NngpInputException>(() => MatrixFile.Read(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePaperSplitOfOnePool_NamesTheSplitParameter_InApiTerms()
    {
        var error = Assert.Throws<NngpInputException>(() => DataSplit.Load(DataSplit.Mnist10kName, 10, 10, SplitProtocol.Paper));
        Assert.Equal("split", error.Parameter);
        Assert.Contains("SplitProtocol.First", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 10, "trainSize")]
    [InlineData(10, 0, "testSize")]
    [InlineData(9000, 2000, null)] // the two sizes together are too many: no one parameter is at fault
    public void ASizeOutOfRange_NamesItsParameter(int trainSize, int testSize, string? parameter)
    {
        var error = Assert.Throws<NngpInputException>(() => DataSplit.Load(DataSplit.Mnist10kName, trainSize, testSize));
        Assert.Equal(parameter, error.Parameter);
    }
}
