using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Spatial;
using GpuNngp.Engine.Tests.Backends;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Persistence;

/// <summary>
/// A saved posterior, loaded, predicts what the fitted one predicts: bit for bit on the provider that
/// saved it (dense and convolutional networks, the NNGP and the NTK, closed forms, quadrature with
/// lookup tables, a fit that needed jitter), within rounding on another provider; and its network
/// and settings come back equal.
/// </summary>
public sealed class PosteriorRoundTripTests
{
    public static TheoryData<string> Networks => ["relu-3-nngp", "leaky-relu-2-ntk", "abrelu-1-nngp", "erf-2-ntk", "tanh-2-nngp-tables", "conv-flatten", "conv-pool-residual"];

    [Theory]
    [MemberData(nameof(Networks))]
    public void LoadedPosterior_PredictsBitForBit(string name)
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var (network, kind, x, xTest) = Case(name);
        if (network.IsConvolutional)
        {
            // One case on the spatial kernel, one on the host reference (a pooling inside a residual block).
            bool sliced = SliceProgram.TryCompile(LayerPlan.Compile(network), QuadratureRules.Get(QuadratureRules.DefaultOrder)) is not null;
            Assert.Equal(name == "conv-flatten", sliced);
        }

        var y = BackendContractTests.RandomMatrix(x.RowCount, 2, seed: 41);
        using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = 0.03, Kind = kind }, TestContext.Current.CancellationToken);
        var expected = posterior.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);

        using var saved = new MemoryStream();
        posterior.Save(saved);
        saved.Position = 0;
        using var loaded = engine.LoadPosterior(saved);
        var actual = loaded.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(expected.Mean.ToColumnMajorArray(), actual.Mean.ToColumnMajorArray());
        Assert.Equal(expected.Variance, actual.Variance);
        Assert.Equal(posterior.Network.Layers, loaded.Network.Layers);
        Assert.Equal(posterior.Network.ToString(), loaded.Network.ToString());
        Assert.Equal((posterior.Kind, posterior.Noise, posterior.Jitter, posterior.LogMarginalLikelihood), (loaded.Kind, loaded.Noise, loaded.Jitter, loaded.LogMarginalLikelihood));
        Assert.Equal((posterior.TrainCount, posterior.Outputs), (loaded.TrainCount, loaded.Outputs));
    }

    [Fact]
    public void LoadedPosterior_KeepsTheJitterItsFitNeeded_AndPredictsBitForBit()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var distinct = BackendContractTests.RandomMatrix(8, 4, seed: 42);
        var x = distinct.Stack(distinct); // every point twice: K_DD is singular without noise
        var y = BackendContractTests.RandomMatrix(16, 1, seed: 43);
        var xTest = BackendContractTests.RandomMatrix(5, 4, seed: 44);
        using var posterior = engine.Fit(Nngp.FullyConnected(2, Nngp.Relu(), 1.5, 0.1), x, y, new FitOptions { Noise = 0 }, TestContext.Current.CancellationToken);
        Assert.True(posterior.Jitter > 0, "the case must need jitter");

        using var loaded = RoundTrip(engine, posterior);

        Assert.Equal(posterior.Jitter, loaded.Jitter);
        var (expected, actual) = (posterior.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken), loaded.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(expected.Mean.ToColumnMajorArray(), actual.Mean.ToColumnMajorArray());
        Assert.Equal(expected.Variance, actual.Variance);
    }

    /// <summary>A Gauss–Hermite order and lookup tables off come back: another rule would give another tanh kernel, so other predictions.</summary>
    [Fact]
    public void LoadedPosterior_KeepsTheQuadratureAndLookupChoices()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var network = Nngp.FullyConnected(2, Nngp.Tanh(), 1.6, 0.2);
        var (_, _, x, xTest) = Case("relu-3-nngp");
        var y = BackendContractTests.RandomMatrix(x.RowCount, 1, seed: 49);
        using var hermite = engine.Fit(network, x, y, new FitOptions { Noise = 0.01, QuadratureOrder = 12, Lookup = LookupTableMode.Off }, TestContext.Current.CancellationToken);
        using var graded = engine.Fit(network, x, y, new FitOptions { Noise = 0.01 }, TestContext.Current.CancellationToken);
        var expected = hermite.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken).Mean.ToColumnMajorArray();
        Assert.NotEqual(graded.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken).Mean.ToColumnMajorArray(), expected);

        using var loaded = RoundTrip(engine, hermite);

        Assert.Equal(expected, loaded.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken).Mean.ToColumnMajorArray());
    }

    [Fact]
    public void LoadedPosterior_PredictsAsTheSavedOne_AfterTheCallerChangedItsTrainingMatrices()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var network = Nngp.FullyConnected(2, Nngp.Erf(), 1.5, 0.1);
        var x = BackendContractTests.RandomMatrix(15, 3, seed: 45);
        var y = BackendContractTests.RandomMatrix(15, 2, seed: 46);
        var xTest = BackendContractTests.RandomMatrix(6, 3, seed: 47);
        using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = 0.01 }, TestContext.Current.CancellationToken);
        var expected = posterior.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
        x.Clear();
        y.Clear();

        using var loaded = RoundTrip(engine, posterior);

        Assert.Equal(expected.Mean.ToColumnMajorArray(), loaded.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken).Mean.ToColumnMajorArray());
        using var refit = engine.Fit(network, BackendContractTests.RandomMatrix(15, 3, seed: 45), BackendContractTests.RandomMatrix(15, 2, seed: 46), new FitOptions { Noise = 0.01 }, TestContext.Current.CancellationToken);
        Assert.Equal(refit.LogMarginalLikelihood, loaded.LogMarginalLikelihood);
    }

    /// <summary>Saved on the native CPU provider, loaded on the managed one and on the device kernels (ILGPU's CPU simulator).</summary>
    [Theory]
    [InlineData("relu-3-nngp")]
    [InlineData("erf-2-ntk")]
    [InlineData("tanh-2-nngp-tables")]
    [InlineData("conv-flatten")]
    public void PosteriorSavedOnOneProvider_LoadsOnAnother(string name)
    {
        using var native = NngpEngine.Create(DeviceKind.Cpu);
        var (network, kind, x, xTest) = Case(name);
        var y = BackendContractTests.RandomMatrix(x.RowCount, 2, seed: 48);
        using var posterior = native.Fit(network, x, y, new FitOptions { Noise = 0.03, Kind = kind }, TestContext.Current.CancellationToken);
        var expected = posterior.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
        using var saved = new MemoryStream();
        posterior.Save(saved);

        using var managed = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        using var simulated = new NngpEngine(new SimulatedDeviceProvider(), "device: simulator");
        foreach (var other in new[] { managed, simulated })
        {
            saved.Position = 0;
            using var loaded = other.LoadPosterior(saved);
            var actual = loaded.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
            BackendContractTests.AssertClose(expected.Mean, actual.Mean, 1e-11);
            BackendContractTests.AssertClose(Column(expected.Variance!), Column(actual.Variance!), 1e-9);
            Assert.Equal(posterior.LogMarginalLikelihood, loaded.LogMarginalLikelihood);
            Assert.Contains(other.Backend, loaded.Backend, StringComparison.Ordinal);
        }
    }

    private static GpPosterior RoundTrip(NngpEngine engine, GpPosterior posterior)
    {
        using var saved = new MemoryStream();
        posterior.Save(saved);
        saved.Position = 0;
        return engine.LoadPosterior(saved);
    }

    private static Matrix<double> Column(double[] values) => Matrix<double>.Build.Dense(values.Length, 1, values);

    /// <summary>A network, its kernel and inputs: flat ones, unit-norm ones (so the tanh case builds lookup tables), or 4×4×2 images.</summary>
    internal static (Network Network, KernelKind Kind, Matrix<double> X, Matrix<double> XTest) Case(string name)
    {
        var flat = (BackendContractTests.RandomMatrix(18, 5, seed: 31), BackendContractTests.RandomMatrix(7, 5, seed: 32));
        var images = (BackendContractTests.RandomMatrix(10, 32, seed: 33), BackendContractTests.RandomMatrix(4, 32, seed: 34));
        return name switch
        {
            "relu-3-nngp" => (Nngp.FullyConnected(3, Nngp.Relu(), 1.45, 0.28), KernelKind.Nngp, flat.Item1, flat.Item2),
            "leaky-relu-2-ntk" => (Nngp.FullyConnected(2, Nngp.LeakyRelu(0.2), 1.3, 0.05), KernelKind.Ntk, flat.Item1, flat.Item2),
            "abrelu-1-nngp" => (Nngp.FullyConnected(1, Nngp.AbRelu(-0.4, 1.7), 0.9, 0.3), KernelKind.Nngp, flat.Item1, flat.Item2),
            "erf-2-ntk" => (Nngp.FullyConnected(2, Nngp.Erf(), 2.0, 0.1), KernelKind.Ntk, flat.Item1, flat.Item2),
            "tanh-2-nngp-tables" => (Nngp.FullyConnected(2, Nngp.Tanh(), 1.6, 0.2), KernelKind.Nngp, UnitNorm(flat.Item1), UnitNorm(flat.Item2)),
            "conv-flatten" => (Nngp.Serial(Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(), Nngp.Conv(2, 2, 1.2, 0.05, Padding.Valid), Nngp.Erf(), Nngp.Flatten(), Nngp.Dense(1.6, 0.1)).OnImages(4, 4, 2),
                KernelKind.Ntk, images.Item1, images.Item2),
            "conv-pool-residual" => (Nngp.Serial(
                    Nngp.Conv(3, 3, 1.6, 0.1, Padding.Circular),
                    Nngp.Residual(Nngp.IdentityBranch, Nngp.Serial(Nngp.Relu(), Nngp.AvgPool(3, 3, Padding.Same, 1, 1))),
                    Nngp.GlobalAvgPool(), Nngp.Dense(1.6, 0.1)).OnImages(4, 4, 2),
                KernelKind.Nngp, images.Item1, images.Item2),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
        };
    }

    /// <summary>Rows scaled to x·x/d = 1: every point of one norm, as the paper's preprocessing gives.</summary>
    private static Matrix<double> UnitNorm(Matrix<double> x)
    {
        var scaled = x.Clone();
        for (int i = 0; i < x.RowCount; i++)
        {
            scaled.SetRow(i, x.Row(i) * (Math.Sqrt(x.ColumnCount) / x.Row(i).L2Norm()));
        }

        return scaled;
    }
}
