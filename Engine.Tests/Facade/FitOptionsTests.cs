using GpuNngp.Engine.Tests.Backends;
using Xunit;

namespace GpuNngp.Engine.Tests.Facade;

/// <summary>
/// <see cref="FitOptions"/> and <see cref="KernelOptions"/>: a bad value is refused before any work in
/// one line naming the option; the options change the result where they should and not where they should not.
/// </summary>
public sealed class FitOptionsTests
{
    private static readonly Network Relu2 = Nngp.FullyConnected(2, Nngp.Relu(), 1.45, 0.28);

    public static TheoryData<string, FitOptions> BadFitOptions() => new()
    {
        { "FitOptions.Noise", new FitOptions { Noise = -1 } },
        { "FitOptions.Noise", new FitOptions { Noise = double.NaN } },
        { "FitOptions.Jitter", new FitOptions { Jitter = null! } },
        { "FitOptions.Jitter", new FitOptions { Jitter = new JitterPolicy(Growth: 1) } },
        { "FitOptions.QuadratureOrder", new FitOptions { QuadratureOrder = 301 } },
        { "FitOptions.QuadratureOrder", new FitOptions { QuadratureOrder = -1 } },
        { "FitOptions.Kind", new FitOptions { Kind = (KernelKind)42 } },
        { "FitOptions.Lookup", new FitOptions { Lookup = (LookupTableMode)7 } },
        { "FitOptions.MaxMemoryBytes", new FitOptions { MaxMemoryBytes = 0 } },
        { "FitOptions.MaxThreads", new FitOptions { MaxThreads = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadFitOptions))]
    public void ABadFitOption_IsRefusedInOneLineNamingIt(string option, FitOptions options)
    {
        var (x, y) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var error = Assert.Throws<NngpInputException>(() => engine.Fit(Relu2, x, y, options, TestContext.Current.CancellationToken));
        Assert.StartsWith(option, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ABadKernelOption_IsRefusedNamingKernelOptions()
    {
        var (x, _) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var error = Assert.Throws<NngpInputException>(() => engine.Kernel(Relu2, x, null, new KernelOptions { MaxThreads = -2 }, TestContext.Current.CancellationToken));
        Assert.StartsWith("KernelOptions.MaxThreads", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMemoryCap_BelowTheFitsNeeds_RefusesIt()
    {
        var (x, y) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Assert.Throws<NngpInputException>(() => engine.Fit(Relu2, x, y, new FitOptions { MaxMemoryBytes = 1000 }, TestContext.Current.CancellationToken));
        Assert.Throws<NngpInputException>(() => engine.Kernel(Relu2, x, null, new KernelOptions { MaxMemoryBytes = 1000 }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void OneThread_AndTheNoiseOption_GiveTheResultsTheyShould()
    {
        var (x, y) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var all = engine.Fit(Relu2, x, y, new FitOptions { Noise = 0.1 }, TestContext.Current.CancellationToken);
        using var one = engine.Fit(Relu2, x, y, new FitOptions { Noise = 0.1, MaxThreads = 1 }, TestContext.Current.CancellationToken);
        using var quieter = engine.Fit(Relu2, x, y, new FitOptions { Noise = 0.01 }, TestContext.Current.CancellationToken);
        Assert.Equal(all.LogMarginalLikelihood, one.LogMarginalLikelihood, 12);
        Assert.Equal(0.1, all.Noise);
        Assert.NotEqual(all.LogMarginalLikelihood, quieter.LogMarginalLikelihood, 6);

        // The NTK through the options is the NTK through the shorthand overload, and not the NNGP.
        var ntk = engine.Kernel(Relu2, x, null, new KernelOptions { Kind = KernelKind.Ntk }, TestContext.Current.CancellationToken);
        var shorthand = engine.Kernel(Relu2, x, null, KernelKind.Ntk);
        var nngp = engine.Kernel(Relu2, x, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, (ntk - shorthand).L1Norm());
        Assert.True((ntk - nngp).L1Norm() > 1e-3);
    }

    [Fact]
    public void FitOptions_AreKernelOptions_AndImmutable()
    {
        var options = new FitOptions { Noise = 1e-3, Kind = KernelKind.Ntk };
        var changed = options with { Noise = 1e-2 };
        Assert.Equal(1e-3, options.Noise);
        Assert.Equal(KernelKind.Ntk, changed.Kind);
        KernelOptions asKernel = changed;
        Assert.Equal(KernelKind.Ntk, asKernel.Kind);
        Assert.Equal(0, FitOptions.Default.Noise);
        Assert.Same(JitterPolicy.Default, FitOptions.Default.Jitter);
    }

    private static (MathNet.Numerics.LinearAlgebra.Matrix<double> X, MathNet.Numerics.LinearAlgebra.Matrix<double> Y) Data() =>
        (BackendContractTests.RandomMatrix(40, 6, seed: 11), BackendContractTests.RandomMatrix(40, 1, seed: 12));
}
