using GpuNngp.Engine.Computation;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using GpuNngp.Engine.Cpu;
using Xunit;

namespace GpuNngp.Engine.Tests.Backends;

/// <summary>
/// No result is silently NaN: an overflowing or faulty kernel fails with an error naming where,
/// and the shared output checks catch what the per-layer diagonals cannot (a φ that is NaN only
/// at some correlations).
/// </summary>
public sealed class NonFiniteResultTests
{
    private static readonly MathNet.Numerics.LinearAlgebra.Matrix<double> X = BackendContractTests.RandomMatrix(12, 5, seed: 60);
    private static readonly MathNet.Numerics.LinearAlgebra.Matrix<double> Y = BackendContractTests.RandomMatrix(12, 2, seed: 61);

    [Theory]
    [InlineData(KernelKind.Nngp)]
    [InlineData(KernelKind.Ntk)]
    public void DeepReluThatOverflows_FailsAtTheLayerWhereItOverflows(KernelKind kind)
    {
        // q grows ×2.5 per layer from ~5 (σw² = 5, ReLU halves): past 1e150 between layers 370 and 380.
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var network = Nngp.FullyConnected(1000, Nngp.Relu(), 5, 0.1);
        var kernelError = Assert.Throws<NonFiniteResultException>(() => engine.Kernel(network, X, null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken));
        var fitError = Assert.Throws<NonFiniteResultException>(() => engine.Fit(network, X, Y, new FitOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken));

        int layer = int.Parse(kernelError.Message.Split("layer ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(layer, 370, 380);
        Assert.Equal(kernelError.Message, fitError.Message);
    }

    [Fact]
    public void ANetworkJustBelowTheBound_StillComputes()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var kernel = engine.Kernel(Nngp.FullyConnected(300, Nngp.Relu(), 5, 0.1), X, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(kernel.Enumerate().All(double.IsFinite));
        Assert.True(kernel[0, 0] > 1e100);
    }

    [Fact]
    public void CustomActivationReturningNaN_FailsNamingTheLayer_InsteadOfANaNLogLikelihood()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var network = Nngp.FullyConnected(2, Nngp.Custom("broken", x => x > 3 ? double.NaN : Math.Tanh(x)), 1.5, 0.1);
        var error = Assert.Throws<NonFiniteResultException>(() => engine.Fit(network, X, Y, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("from layer 2 of 3 on", error.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CustomActivationReturningInfinity_FailsToo()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var network = Nngp.FullyConnected(1, Nngp.Custom("exploding", x => x > 2 ? double.PositiveInfinity : x), 1, 0);
        Assert.Throws<NonFiniteResultException>(() => engine.Kernel(network, X, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public void OutputChecks_NameTheEntryThatIsNotFinite()
    {
        using var kernel = HostMatrix.CopyOf(Matrix<double>.Build.Dense(2, 2, [1, 0.5, 0.5, double.NaN])); // (2, 2) is NaN
        Assert.Contains("entry (2, 2)", Assert.Throws<NonFiniteResultException>(() => FiniteResults.CheckKernel(kernel)).Message, StringComparison.Ordinal);
        Assert.Contains("log p(Y) = NaN", Assert.Throws<NonFiniteResultException>(() => FiniteResults.CheckLogLikelihood(double.NaN)).Message, StringComparison.Ordinal);
        double[] mean = [0, 1, 2, double.PositiveInfinity]; // 2×2: test row 2, output 2
        Assert.Contains("test row 2, output 2", Assert.Throws<NonFiniteResultException>(() => FiniteResults.CheckPrediction(mean, 2, null)).Message, StringComparison.Ordinal);
        Assert.Contains("variance of test row 3", Assert.Throws<NonFiniteResultException>(() => FiniteResults.CheckPrediction([0, 0, 0], 3, [1, 1, double.NaN])).Message, StringComparison.Ordinal);
        using var finite = HostMatrix.CopyOf(Matrix<double>.Build.Dense(2, 2, [1, 0.5, 0.5, 1]));
        FiniteResults.CheckKernel(finite); // finite: no error
    }

    [Fact]
    public void LowerTriangleCheck_NamesTheFirstNonFiniteEntry_AndIgnoresTheUpperTriangle()
    {
        // 3×3 column-major: the upper triangle (row < column) is scratch space on the CPU path.
        using var provider = new CpuProvider(HostLinearAlgebra.Managed);
        using var matrix = provider.Upload([1, 0.5, 0.25, double.NaN, 1, 0.5, double.PositiveInfinity, double.NaN, 1], "test");
        FiniteResults.CheckLowerTriangle(provider, matrix, 3);

        provider.CopyIn(matrix, [1, 0.5, 0.25, double.NaN, 1, double.NegativeInfinity, double.PositiveInfinity, double.NaN, double.NaN]);
        var error = Assert.Throws<NonFiniteResultException>(() => FiniteResults.CheckLowerTriangle(provider, matrix, 3));
        Assert.Contains("entry (3, 2)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1e-4, 10, "initial")]
    [InlineData(1e-10, 1e-4, 1, "growth")]
    [InlineData(1e-10, 1e-4, 0.5, "growth")]
    [InlineData(1e-10, 1e-4, double.NaN, "growth")]
    [InlineData(1e-300, 1e300, 1.0001, "factorisations")]
    public void JitterPolicyThatWouldNeverEnd_IsRefusedBeforeTheFit(double initial, double maximum, double growth, string mention)
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var singular = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(4, 3, 1.0); // identical rows: needs jitter
        var error = Assert.Throws<NngpInputException>(() =>
            engine.Fit(Nngp.FullyConnected(1, Nngp.Relu(), 1, 0), singular, BackendContractTests.RandomMatrix(4, 1, seed: 62), new FitOptions { Jitter = new JitterPolicy(initial, maximum, growth) }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains(mention, error.Message, StringComparison.Ordinal);
    }
}
