using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Backends;

/// <summary>
/// The cases every backend must pass, as ILGPU tests its backends: one shared set, one subclass per
/// backend. A subclass whose device is absent skips each case with the reason.
/// </summary>
public abstract partial class BackendContractTests
{
    /// <summary>The provider of the backend under test; calls Assert.Skip when the backend is unavailable.</summary>
    private protected abstract IComputeProvider CreateProvider();

    /// <summary>An engine on the backend under test (skipped when it is unavailable).</summary>
    protected NngpEngine CreateEngine()
    {
        var provider = CreateProvider();
        return new NngpEngine(provider, $"device: {provider.Name}");
    }

    /// <summary>The reference every backend is compared with: the CPU on the managed provider.</summary>
    protected static NngpEngine CreateReference() => NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);

    public static TheoryData<string, int, string> Architectures => new()
    {
        { "relu", 0, "nngp" },
        { "relu", 3, "nngp" },
        { "relu", 20, "ntk" },
        { "erf", 2, "nngp" },
        { "gelu", 3, "ntk" },
        { "tanh", 2, "nngp" },
        { "leaky-relu", 3, "nngp" },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Kernel_AgreesWithReference(string activation, int depth, string kind)
    {
        using var engine = CreateEngine();
        using var reference = CreateReference();
        var network = Nngp.FullyConnected(depth, Nngp.ActivationByName(activation), 1.6, 0.2);
        var kernelKind = kind == "ntk" ? KernelKind.Ntk : KernelKind.Nngp;
        var x1 = RandomMatrix(37, 11, seed: 1);
        var x2 = RandomMatrix(23, 11, seed: 2);

        AssertClose(reference.Kernel(network, x1, null, new KernelOptions { Kind = kernelKind }, cancellationToken: TestContext.Current.CancellationToken), engine.Kernel(network, x1, null, new KernelOptions { Kind = kernelKind }, cancellationToken: TestContext.Current.CancellationToken), 1e-9);
        AssertClose(reference.Kernel(network, x1, x2, new KernelOptions { Kind = kernelKind }, cancellationToken: TestContext.Current.CancellationToken), engine.Kernel(network, x1, x2, new KernelOptions { Kind = kernelKind }, cancellationToken: TestContext.Current.CancellationToken), 1e-9);
    }

    [Fact]
    public void Kernel_IsSymmetricAndPositiveSemiDefinite()
    {
        using var engine = CreateEngine();
        var k = engine.Kernel(Nngp.FullyConnected(3, Nngp.Relu(), 1.45, 0.28), RandomMatrix(40, 9, seed: 3), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, (k - k.Transpose()).Enumerate().Max(Math.Abs));
        double smallest = k.Evd().EigenValues.Real().Minimum();
        Assert.True(smallest > -1e-10 * k.Trace(), $"smallest eigenvalue {smallest}");
    }

    [Fact]
    public void Posterior_MatchesExplicitDenseInverse()
    {
        using var engine = CreateEngine();
        var network = Nngp.FullyConnected(2, Nngp.Relu(), 1.45, 0.28);
        var x = RandomMatrix(30, 6, seed: 4);
        var y = RandomMatrix(30, 3, seed: 5);
        var xTest = RandomMatrix(12, 6, seed: 6);
        const double noise = 0.05;

        using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = noise }, cancellationToken: TestContext.Current.CancellationToken);
        var prediction = posterior.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);

        var kdd = engine.Kernel(network, x, cancellationToken: TestContext.Current.CancellationToken) + noise * Matrix<double>.Build.DenseIdentity(30);
        var ktd = engine.Kernel(network, xTest, x, cancellationToken: TestContext.Current.CancellationToken);
        var ktt = engine.Kernel(network, xTest, cancellationToken: TestContext.Current.CancellationToken);
        var inverse = kdd.Inverse();
        var mean = ktd * inverse * y;
        var covariance = ktt - ktd * inverse * ktd.Transpose();

        AssertClose(mean, prediction.Mean, 1e-9);
        Assert.NotNull(prediction.Variance);
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(covariance[i, i], prediction.Variance[i], 1e-9 * Math.Max(1, ktt[i, i]));
        }

        Assert.Equal(0, posterior.Jitter);
    }

    [Theory]
    [InlineData("relu", 3, "nngp")]
    [InlineData("erf", 2, "ntk")]
    public void PredictCovariance_MatchesDenseAlgebra_AndAgreesWithTheOtherPredictions(string activation, int depth, string kind)
    {
        using var engine = CreateEngine();
        var network = Nngp.FullyConnected(depth, Nngp.ActivationByName(activation), 1.6, 0.2);
        var kernelKind = kind == "ntk" ? KernelKind.Ntk : KernelKind.Nngp;
        var x = RandomMatrix(25, 5, seed: 14);
        var y = RandomMatrix(25, 2, seed: 15);
        var xTest = RandomMatrix(9, 5, seed: 16);
        const double noise = 0.03;

        using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = noise, Kind = kernelKind }, TestContext.Current.CancellationToken);
        var full = posterior.PredictCovariance(xTest, cancellationToken: TestContext.Current.CancellationToken);
        var withVariance = posterior.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
        var meanOnly = posterior.PredictMean(xTest, cancellationToken: TestContext.Current.CancellationToken);

        // K** − K*ᵀ(K + σ²I)⁻¹K* by plain dense algebra on the kernels the engine writes out.
        var kdd = engine.Kernel(network, x, null, new KernelOptions { Kind = kernelKind }, TestContext.Current.CancellationToken) + noise * Matrix<double>.Build.DenseIdentity(25);
        var ktd = engine.Kernel(network, xTest, x, new KernelOptions { Kind = kernelKind }, TestContext.Current.CancellationToken);
        var ktt = engine.Kernel(network, xTest, null, new KernelOptions { Kind = kernelKind }, TestContext.Current.CancellationToken);
        var covariance = ktt - ktd * kdd.Inverse() * ktd.Transpose();

        AssertClose(covariance, full.Covariance, 1e-9);
        AssertClose(full.Mean, withVariance.Mean, 1e-12);
        AssertClose(full.Mean, meanOnly.Mean, 1e-12);
        Assert.True(full.Covariance.Equals(full.Covariance.Transpose()), "the covariance is not symmetric");
        double scale = ktt.Diagonal().Maximum();
        for (int i = 0; i < xTest.RowCount; i++)
        {
            Assert.Equal(withVariance.Variance[i], full.Covariance[i, i], 1e-12 * scale);
            Assert.Equal(full.Variance[i], withVariance.Variance[i], 1e-12 * scale);
            Assert.Equal(Math.Sqrt(withVariance.Variance[i]), withVariance.StandardDeviation[i]);
        }
    }

    [Fact]
    public void LogMarginalLikelihood_MatchesItsFormula()
    {
        using var engine = CreateEngine();
        var network = Nngp.FullyConnected(3, Nngp.Erf(), 2.0, 0.1);
        var x = RandomMatrix(25, 5, seed: 7);
        var y = RandomMatrix(25, 2, seed: 8);
        const double noise = 0.1;

        using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = noise }, cancellationToken: TestContext.Current.CancellationToken);

        var a = engine.Kernel(network, x, cancellationToken: TestContext.Current.CancellationToken) + noise * Matrix<double>.Build.DenseIdentity(25);
        double logDet = a.Cholesky().DeterminantLn;
        var solved = a.Solve(y);
        double expected = 0;
        for (int c = 0; c < 2; c++)
        {
            expected += -0.5 * y.Column(c).DotProduct(solved.Column(c)) - 0.5 * logDet - 12.5 * Math.Log(2 * Math.PI);
        }

        Assert.Equal(expected, posterior.LogMarginalLikelihood, 1e-8 * Math.Abs(expected));
    }

    [Fact]
    public void Fit_AgreesWithReference()
    {
        using var engine = CreateEngine();
        using var reference = CreateReference();
        var network = Nngp.FullyConnected(3, Nngp.Relu(), 1.45, 0.28);
        var x = RandomMatrix(64, 10, seed: 9);
        var y = RandomMatrix(64, 4, seed: 10);
        var xTest = RandomMatrix(40, 10, seed: 11);

        using var expected = reference.Fit(network, x, y, new FitOptions { Noise = 1e-3 }, cancellationToken: TestContext.Current.CancellationToken);
        using var actual = engine.Fit(network, x, y, new FitOptions { Noise = 1e-3 }, cancellationToken: TestContext.Current.CancellationToken);
        var expectedPrediction = expected.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);
        var actualPrediction = actual.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken);

        AssertClose(expectedPrediction.Mean, actualPrediction.Mean, 1e-9);
        AssertClose(Vector(expectedPrediction.Variance!), Vector(actualPrediction.Variance!), 1e-9);
        Assert.Equal(expected.LogMarginalLikelihood, actual.LogMarginalLikelihood, 1e-9 * Math.Abs(expected.LogMarginalLikelihood));
    }

    [Fact]
    public void SingularKernel_IsRescuedByJitter_AndTheJitterIsReported()
    {
        using var engine = CreateEngine();
        var network = Nngp.FullyConnected(2, Nngp.Relu(), 1.45, 0.28);
        var distinct = RandomMatrix(10, 5, seed: 12);
        var x = distinct.Stack(distinct); // every point twice: K_DD has rank 10 of 20
        var y = RandomMatrix(20, 2, seed: 13);

        using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(posterior.Jitter > 0, "a singular kernel needs jitter");
        var prediction = posterior.Predict(distinct, cancellationToken: TestContext.Current.CancellationToken);
        Assert.All(prediction.Mean.Enumerate(), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void SingularKernel_PastTheJitterBound_FailsWithAClearError()
    {
        using var engine = CreateEngine();
        var network = Nngp.FullyConnected(2, Nngp.Relu(), 1.45, 0.28);
        var distinct = RandomMatrix(10, 5, seed: 14);
        var x = distinct.Stack(distinct);
        var y = RandomMatrix(20, 1, seed: 15);
        var noJitter = new JitterPolicy(InitialRelativeJitter: 1e-10, MaxRelativeJitter: 1e-20);

        var error = Assert.Throws<NngpNumericalException>(() => engine.Fit(network, x, y, new FitOptions { Noise = 0, Jitter = noJitter }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("not positive definite", error.Message, StringComparison.Ordinal);
        Assert.Equal("noise", error.Parameter);
    }

    [Fact]
    public void Prediction_AtTrainingPoints_InterpolatesWithoutNoise()
    {
        using var engine = CreateEngine();
        var network = Nngp.FullyConnected(1, Nngp.Relu(), 1.5, 0.1);
        var x = RandomMatrix(15, 4, seed: 16);
        var y = RandomMatrix(15, 2, seed: 17);
        using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        var prediction = posterior.Predict(x, cancellationToken: TestContext.Current.CancellationToken);
        AssertClose(y, prediction.Mean, 1e-7);
        Assert.All(prediction.Variance!, v => Assert.True(v < 1e-7, $"variance {v} at a training point"));
    }

    [Fact]
    public void SymmetricEigen_OfAKernel_IsItsDecomposition_AndMatchesMathNet()
    {
        using var provider = CreateProvider();
        var plan = LayerPlan.Compile(Nngp.FullyConnected(3, Nngp.Relu(), 1.45, 0.28));
        using var kernel = KernelPipeline.Compute(provider, plan, RandomMatrix(40, 9, seed: 18), null, new KernelOptions { Kind = KernelKind.Ntk }, TestContext.Current.CancellationToken);
        var k = kernel.ToMatrix();
        int n = k.RowCount;

        // Only the lower triangle may be read: NaN above the diagonal must change nothing.
        using var lowerOnly = HostMatrix.CopyOf(k);
        for (int j = 1; j < n; j++)
        {
            for (int i = 0; i < j; i++)
            {
                lowerOnly.Storage[(long)j * n + i] = double.NaN;
            }
        }

        using var decomposition = SpectralPipeline.Decompose(provider, lowerOnly);
        var v = decomposition.Eigenvectors.ToMatrix();
        var lambda = Matrix<double>.Build.DenseOfDiagonalArray(decomposition.Eigenvalues);
        double scale = k.L2Norm(); // the largest |eigenvalue|

        double residual = (k * v - v * lambda).Enumerate().Max(Math.Abs) / scale;
        Assert.True(residual <= 1e-10, $"max |K·V − V·Λ| / ‖K‖ = {residual:G3}");
        double orthogonality = (v.TransposeThisAndMultiply(v) - Matrix<double>.Build.DenseIdentity(n)).Enumerate().Max(Math.Abs);
        Assert.True(orthogonality <= 1e-10, $"max |VᵀV − I| = {orthogonality:G3}");
        for (int i = 1; i < n; i++)
        {
            Assert.True(decomposition.Eigenvalues[i - 1] <= decomposition.Eigenvalues[i], $"eigenvalue {i - 1} > eigenvalue {i}");
        }

        double[] expected = [.. k.Evd(Symmetricity.Symmetric).EigenValues.Select(value => value.Real).Order()];
        double worst = expected.Zip(decomposition.Eigenvalues, (e, a) => Math.Abs(e - a)).Max() / expected.Max(Math.Abs);
        Assert.True(worst <= 1e-10, $"max eigenvalue difference from MathNet's Evd / largest = {worst:G3}");
        Assert.True(double.IsNaN(lowerOnly[0, 1]) && lowerOnly[1, 0] == k[1, 0], "the input matrix changed");
    }

    [Fact]
    public void SymmetricEigen_OfAMatrixWithANaN_FailsNamingTheEntry()
    {
        using var provider = CreateProvider();
        var k = Matrix<double>.Build.DenseIdentity(5);
        k[3, 1] = double.NaN;
        using var matrix = HostMatrix.CopyOf(k);
        var error = Assert.Throws<NngpInputException>(() => SpectralPipeline.Decompose(provider, matrix));
        Assert.Contains("(3, 1)", error.Message, StringComparison.Ordinal);
    }

    internal static Matrix<double> RandomMatrix(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        return Matrix<double>.Build.Dense(rows, columns, (_, _) => random.NextDouble() * 2 - 1);
    }

    private static Matrix<double> Vector(double[] values) => Matrix<double>.Build.Dense(values.Length, 1, values);

    internal static void AssertClose(Matrix<double> expected, Matrix<double> actual, double relative)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ColumnCount, actual.ColumnCount);
        double scale = Math.Max(1e-300, expected.Enumerate().Max(Math.Abs));
        double worst = (expected - actual).Enumerate().Max(Math.Abs) / scale;
        Assert.True(worst <= relative, $"max relative difference {worst:G3} > {relative:G3}");
    }
}
