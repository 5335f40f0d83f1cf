using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Facade;

/// <summary>
/// Misuse of the public API is refused at the call, in one line that names the argument: values cast
/// to an enum that has no such member, null layers and names, which before gave a
/// NullReferenceException, a garbled message deep in the planner, or an engine on a device that does
/// not exist.
/// </summary>
public sealed class ApiMisuseTests
{
    private static readonly Matrix<double> X = Matrix<double>.Build.Dense(4, 2, (i, j) => i - j + 0.5);
    private static readonly Matrix<double> Y = Matrix<double>.Build.Dense(4, 1, (i, _) => i);

    [Fact]
    public void UndefinedDeviceKind_IsRefused()
    {
        var e = Assert.Throws<NngpInputException>(() => NngpEngine.Create((DeviceKind)42));
        Assert.Equal("device = 42 is not a DeviceKind (Auto, Cpu, Gpu, Distributed)", e.Message);
        Assert.Equal("device", e.Parameter);
    }

    [Fact]
    public void UndefinedKernelKindAndLookupMode_AreRefused()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var net = Nngp.FullyConnected(1, Nngp.Relu(), 1, 0);

        Assert.Equal("kind", Assert.Throws<NngpInputException>(() => engine.Fit(net, X, Y, new FitOptions { Kind = (KernelKind)7 }, TestContext.Current.CancellationToken)).Parameter);
        Assert.Equal("lookup", Assert.Throws<NngpInputException>(() => engine.Fit(net, X, Y, new FitOptions { Lookup = (LookupTableMode)(-1) }, TestContext.Current.CancellationToken)).Parameter);
        Assert.Equal("kind", Assert.Throws<NngpInputException>(() => engine.Kernel(net, X, null, new KernelOptions { Kind = (KernelKind)2 }, TestContext.Current.CancellationToken)).Parameter);
    }

    [Fact]
    public void NullActivationName_IsAnArgumentNullException()
    {
        var e = Assert.Throws<ArgumentNullException>(() => Nngp.ActivationByName(null!));
        Assert.Equal("name", e.ParamName);
    }

    [Fact]
    public void NullLayer_IsNamedByItsPosition()
    {
        var serial = Assert.Throws<ArgumentNullException>(() => Nngp.Serial(Nngp.Dense(1, 0), null!));
        Assert.StartsWith("Nngp.Serial: layer 2 of 2 is null", serial.Message, StringComparison.Ordinal);
        Assert.Equal("layers", serial.ParamName);

        var then = Assert.Throws<ArgumentNullException>(() => Nngp.Serial(Nngp.Dense(1, 0)).Then(Nngp.Relu(), null!, Nngp.Dense(1, 0)));
        Assert.StartsWith("Network.Then: layer 2 of 3 is null", then.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => Nngp.Serial(null!));
    }

    [Fact]
    public void NullActivation_OfAFullyConnectedNetwork_IsNamed()
    {
        var e = Assert.Throws<ArgumentNullException>(() => Nngp.FullyConnected(2, null!, 1, 0));
        Assert.Equal("activation", e.ParamName);
    }

    [Fact]
    public void NegativeSizes_OfTheMemoryCheck_AreRefused()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Assert.Equal("dimension", Assert.Throws<ArgumentOutOfRangeException>(() => engine.CheckFitMemory(10, dimension: -1)).ParamName);
        Assert.Equal("depth", Assert.Throws<ArgumentOutOfRangeException>(() => engine.CheckFitMemory(10, depth: -3)).ParamName);
    }

    [Fact]
    public void DisposedHostMatrix_Refuses()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var kernel = engine.HostKernel(Nngp.FullyConnected(1, Nngp.Relu(), 1, 0), X, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(kernel[1, 1] > 0);

        kernel.Dispose();
        kernel.Dispose();

        Assert.Throws<ObjectDisposedException>(() => kernel[1, 1]);
        Assert.Throws<ObjectDisposedException>(() => kernel.Column(0).Length);
        Assert.Throws<ObjectDisposedException>(() => kernel.ToMatrix());
    }

    [Fact]
    public void CustomActivationWithoutNameOrFunction_IsRefused()
    {
        Assert.Throws<ArgumentNullException>(() => Nngp.Custom("cube", null!));
        Assert.Throws<ArgumentException>(() => Nngp.Custom(" ", v => v));
    }

    [Fact]
    public void NullArguments_OfTheEngineAndThePosterior_AreRefusedInOneLine()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var net = Nngp.FullyConnected(1, Nngp.Relu(), 1, 0);
        using var posterior = engine.Fit(net, X, Y, new FitOptions { Noise = 0.1 }, TestContext.Current.CancellationToken);

        Assert.Throws<ArgumentNullException>(() => engine.Fit(null!, X, Y, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("training inputs are missing", Assert.Throws<NngpInputException>(() => engine.Fit(net, null!, Y, cancellationToken: TestContext.Current.CancellationToken)).Message);
        Assert.Equal("test inputs are missing", Assert.Throws<NngpInputException>(() => posterior.Predict(null!, cancellationToken: TestContext.Current.CancellationToken)).Message);
        Assert.Throws<ArgumentNullException>(() => engine.LoadPosterior(null!));
        Assert.Throws<ArgumentNullException>(() => posterior.Save(null!));
    }
}
