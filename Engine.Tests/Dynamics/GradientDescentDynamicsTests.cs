using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Tests.Backends;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Dynamics;

/// <summary>
/// Gradient-descent predictions (DESIGN.md §8) against a direct computation written here: A(t) =
/// Θ⁻¹(I − e^{−sΘt}) = s·t·φ₁(−s·t·Θ), φ₁ from the matrix exponential of the augmented matrix
/// [[Z, I], [0, 0]] by a Taylor series with scaling and squaring (no eigendecomposition), and the
/// limits t = 0, t = ∞ and small t from their closed forms.
/// </summary>
public sealed class GradientDescentDynamicsTests
{
    private const double Eta = 0.7;
    private static readonly Network Net = Nngp.FullyConnected(2, Nngp.Erf(), 1.6, 0.2);

    /// <summary>A convolutional network on the same 5 features as 5 × 1 × 1 images: its kernels come from the slices, K and Θ in one pass.</summary>
    private static readonly Network ConvNet = Nngp.Serial(
        Nngp.Conv(3, 1, 1.6, 0.2), Nngp.Relu(), Nngp.Conv(3, 1, 1.4, 0.1), Nngp.Erf(), Nngp.GlobalAvgPool(), Nngp.Dense(1.2, 0.1)).OnImages(5, 1, 1);

    private static Matrix<double> Inputs(int n, int d, int seed)
    {
        var random = new Random(seed);
        return Matrix<double>.Build.Dense(n, d, (_, _) => (random.NextDouble() * 2) - 1);
    }

    private static (Matrix<double> X, Matrix<double> Y, Matrix<double> Test) Data()
    {
        var x = Inputs(12, 5, 1);
        var y = Matrix<double>.Build.Dense(12, 2, (i, c) => Math.Sin((1.3 * i) + c));
        return (x, y, Inputs(6, 5, 2));
    }

    /// <summary>e^Z by Taylor's series on Z/2^j (‖Z/2^j‖₁ ≤ 1/2, 30 terms), squared j times.</summary>
    private static Matrix<double> Expm(Matrix<double> z)
    {
        int squarings = Math.Max(0, (int)Math.Ceiling(Math.Log2(z.L1Norm() / 0.5)));
        var scaled = z / Math.Pow(2, squarings);
        var term = Matrix<double>.Build.DenseIdentity(z.RowCount);
        var sum = term.Clone();
        for (int k = 1; k <= 30; k++)
        {
            term = term * scaled / k;
            sum += term;
        }

        for (int i = 0; i < squarings; i++)
        {
            sum *= sum;
        }

        return sum;
    }

    /// <summary>Θ⁻¹(I − e^{−rΘ}) = r·φ₁(−rΘ), φ₁ the top-right block of exp([[−rΘ, I], [0, 0]]).</summary>
    private static Matrix<double> Gain(Matrix<double> theta, double r)
    {
        int n = theta.RowCount;
        var augmented = Matrix<double>.Build.Dense(2 * n, 2 * n);
        augmented.SetSubMatrix(0, 0, -r * theta);
        augmented.SetSubMatrix(0, n, Matrix<double>.Build.DenseIdentity(n));
        return r * Expm(augmented).SubMatrix(0, n, n, n);
    }

    private sealed record Kernels(Matrix<double> Kdd, Matrix<double> Tdd, Matrix<double> Ksd, Matrix<double> Tsd, Matrix<double> Kss);

    private static Kernels KernelsOf(NngpEngine engine, Matrix<double> x, Matrix<double> test, Network? network = null)
    {
        var ct = TestContext.Current.CancellationToken;
        Network net = network ?? Net;
        return new Kernels(
            engine.Kernel(net, x, null, new KernelOptions(), ct),
            engine.Kernel(net, x, null, new KernelOptions { Kind = KernelKind.Ntk }, ct),
            engine.Kernel(net, test, x, new KernelOptions(), ct),
            engine.Kernel(net, test, x, new KernelOptions { Kind = KernelKind.Ntk }, ct),
            engine.Kernel(net, test, null, new KernelOptions(), ct));
    }

    /// <summary>The direct mean and covariance at time t (finite), DESIGN.md §8's formulas.</summary>
    private static (Matrix<double> Mean, Matrix<double> Covariance) Direct(Kernels k, Matrix<double> y, double t, bool ntk)
    {
        double s = Eta / (y.RowCount * y.ColumnCount);
        if (ntk)
        {
            var a = Gain(k.Tdd, s * t);
            var mean = k.Tsd * a * y;
            var cross = k.Tsd * a * k.Ksd.Transpose();
            return (mean, k.Kss + (k.Tsd * a * k.Kdd * a * k.Tsd.Transpose()) - cross - cross.Transpose());
        }

        var gain = Gain(k.Kdd, s * t);
        return (k.Ksd * gain * y, k.Kss - (k.Ksd * Gain(k.Kdd, 2 * s * t) * k.Ksd.Transpose()));
    }

    private static double MaxAbs(Matrix<double> m) => m.Enumerate().Max(Math.Abs);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void EveryTime_MatchesTheDirectMatrixExponential(bool ntk, bool convolutional)
    {
        var (x, y, test) = Data();
        Network net = convolutional ? ConvNet : Net;
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var kernels = KernelsOf(engine, x, test, net);
        using var dynamics = engine.FitDynamics(net, x, y, Options(ntk), TestContext.Current.CancellationToken);
        double[] times = [0.5, 3, 40, 400];
        var prediction = dynamics.Predict(test, times, covariance: true, TestContext.Current.CancellationToken);

        // Without the covariance the prior variances are the test points' own (no M × M kernel): the same.
        var variancesAlone = dynamics.Predict(test, times, covariance: false, TestContext.Current.CancellationToken);
        for (int i = 0; i < times.Length; i++)
        {
            var (mean, covariance) = Direct(kernels, y, times[i], ntk);
            Assert.True(MaxAbs(prediction.Means[i] - mean) <= 1e-9, $"t = {times[i]}: mean off by {MaxAbs(prediction.Means[i] - mean):G3}");
            Assert.True(MaxAbs(prediction.Covariances![i] - covariance) <= 1e-9, $"t = {times[i]}: covariance off by {MaxAbs(prediction.Covariances[i] - covariance):G3}");
            for (int j = 0; j < test.RowCount; j++)
            {
                Assert.True(Math.Abs(prediction.Variances[i][j] - covariance[j, j]) <= 1e-9, $"t = {times[i]}, point {j}");
                Assert.True(Math.Abs(variancesAlone.Variances[i][j] - covariance[j, j]) <= 1e-9, $"t = {times[i]}, point {j}, no covariance");
            }
        }

        // The mean must move: the largest time is far from the smallest.
        Assert.True(MaxAbs(prediction.Means[3] - prediction.Means[0]) > 1e-2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ChunkedProducts_ManyTimes_AndMeansAlone_MatchTheDirectMatrixExponential(bool ntk)
    {
        // A budget of 40 doubles: the means go one time per product (M·C = 10 · 2 > 40 / 2) and the
        // variances' weighted sums two test points per block (N = 24): every chunked loop runs.
        var (x, y, test) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var kernels = KernelsOf(engine, x, test);
        var plan = GpuNngp.Engine.Architecture.LayerPlan.Compile(Net);
        using var provider = new GpuNngp.Engine.Cpu.CpuProvider(HostLinearAlgebra.Default);
        using var model = DynamicsModel.Fit(provider, plan, x, y, Options(ntk), TestContext.Current.CancellationToken);
        model.ProductBudget = 40;
        double[] times = [.. Enumerable.Range(0, 9).Select(i => Math.Pow(4, i) / 16), double.PositiveInfinity];
        var (means, variances, _) = model.Predict(test, times, PredictionDetail.Variance, new StageTimings(), TestContext.Current.CancellationToken);
        var (meansAlone, noVariances, _) = model.Predict(test, times, PredictionDetail.Mean, new StageTimings(), TestContext.Current.CancellationToken);
        Assert.Null(noVariances);
        for (int i = 0; i < times.Length - 1; i++)
        {
            var (mean, covariance) = Direct(kernels, y, times[i], ntk);
            Assert.True(MaxAbs(means[i] - mean) <= 1e-9, $"t = {times[i]}: mean off by {MaxAbs(means[i] - mean):G3}");
            Assert.True(MaxAbs(meansAlone[i] - mean) <= 1e-9, $"t = {times[i]}: mean alone off by {MaxAbs(meansAlone[i] - mean):G3}");
            for (int j = 0; j < test.RowCount; j++)
            {
                Assert.True(Math.Abs(variances![i][j] - covariance[j, j]) <= 1e-9, $"t = {times[i]}, point {j}");
            }
        }

        using var dynamics = engine.FitDynamics(Net, x, y, Options(ntk), TestContext.Current.CancellationToken);
        var publicMeans = dynamics.PredictMean(test, times, TestContext.Current.CancellationToken);
        Assert.Equal(times.Length, publicMeans.Means.Count);
        Assert.True(MaxAbs(publicMeans.Means[^1] - means[^1]) <= 1e-9);
    }

    private static DynamicsOptions Options(bool ntk) => new() { Kind = ntk ? KernelKind.Ntk : KernelKind.Nngp, LearningRate = Eta };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TimeZero_IsThePrior(bool ntk)
    {
        var (x, y, test) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var prior = engine.Kernel(Net, test, null, new KernelOptions(), TestContext.Current.CancellationToken);
        using var dynamics = engine.FitDynamics(Net, x, y, Options(ntk), TestContext.Current.CancellationToken);
        var prediction = dynamics.Predict(test, [0], covariance: true, TestContext.Current.CancellationToken);
        Assert.Equal(0, MaxAbs(prediction.Means[0]));
        Assert.True(MaxAbs(prediction.Covariances![0] - prior) <= 1e-12);
        for (int j = 0; j < test.RowCount; j++)
        {
            Assert.Equal(prior[j, j], prediction.Variances[0][j], 12);
        }
    }

    [Fact]
    public void InfiniteTime_NngpRegime_IsTheExactPosteriorWithoutNoise()
    {
        var (x, y, test) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var posterior = engine.Fit(Net, x, y, new FitOptions { Noise = 0 }, TestContext.Current.CancellationToken);
        Assert.Equal(0, posterior.Jitter); // no jitter: the posterior is the exact noise-free one
        var exact = posterior.PredictCovariance(test, cancellationToken: TestContext.Current.CancellationToken);
        using var dynamics = engine.FitDynamics(Net, x, y, Options(ntk: false), TestContext.Current.CancellationToken);
        var atInfinity = dynamics.Predict(test, [double.PositiveInfinity], covariance: true, TestContext.Current.CancellationToken);

        // Both solve with K_DD (condition number ~1e4 here): agreement to rounding of that size.
        Assert.True(MaxAbs(atInfinity.Means[0] - exact.Mean) <= 1e-9, $"mean off by {MaxAbs(atInfinity.Means[0] - exact.Mean):G3}");
        Assert.True(MaxAbs(atInfinity.Covariances![0] - exact.Covariance) <= 1e-9);
        for (int j = 0; j < test.RowCount; j++)
        {
            Assert.True(Math.Abs(atInfinity.Variances[0][j] - exact.Variance[j]) <= 1e-9);
        }
    }

    [Fact]
    public void InfiniteTime_NtkRegime_MeanIsThetaSolve_AndTheLongTimeLimit()
    {
        var (x, y, test) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var k = KernelsOf(engine, x, test);
        var expected = k.Tsd * k.Tdd.Cholesky().Solve(y);
        using var dynamics = engine.FitDynamics(Net, x, y, Options(ntk: true), TestContext.Current.CancellationToken);
        var prediction = dynamics.Predict(test, [double.PositiveInfinity, 1e9], covariance: true, TestContext.Current.CancellationToken);
        Assert.True(MaxAbs(prediction.Means[0] - expected) <= 1e-9, $"mean off by {MaxAbs(prediction.Means[0] - expected):G3}");

        // t = ∞ is the limit of large t: K_** + Θ_*DΘ⁻¹K_DDΘ⁻¹Θ_D* − (Θ_*DΘ⁻¹K_D* + transpose).
        var inverse = k.Tdd.Inverse();
        var cross = k.Tsd * inverse * k.Ksd.Transpose();
        var covariance = k.Kss + (k.Tsd * inverse * k.Kdd * inverse * k.Tsd.Transpose()) - cross - cross.Transpose();
        Assert.True(MaxAbs(prediction.Covariances![0] - covariance) <= 1e-8, $"covariance off by {MaxAbs(prediction.Covariances[0] - covariance):G3}");
        Assert.True(MaxAbs(prediction.Means[1] - prediction.Means[0]) <= 1e-9);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SmallTime_IsFirstOrder_EtaTimesThetaY_OverNC(bool ntk)
    {
        var (x, y, test) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var k = KernelsOf(engine, x, test);
        using var dynamics = engine.FitDynamics(Net, x, y, Options(ntk), TestContext.Current.CancellationToken);
        double t = 1e-3;
        var prediction = dynamics.Predict(test, [t, t / 10], cancellationToken: TestContext.Current.CancellationToken);
        var slope = (ntk ? k.Tsd : k.Ksd) * y * (Eta / (y.RowCount * y.ColumnCount));
        double residual = MaxAbs(prediction.Means[0] - (t * slope));
        double residualTenth = MaxAbs(prediction.Means[1] - (t / 10 * slope));

        // The first order is right when what is left is second order: small, and 100× smaller at t/10.
        Assert.True(residual <= 1e-3 * MaxAbs(t * slope), $"residual {residual:G3}");
        Assert.InRange(residualTenth / residual, 0.0095, 0.0105);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CpuAndSimulatedDeviceProvider_Agree(bool ntk)
    {
        var (x, y, test) = Data();
        using var cpu = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Default);
        using var device = new NngpEngine(new SimulatedDeviceProvider(), "simulator");
        using var onCpu = cpu.FitDynamics(Net, x, y, Options(ntk), TestContext.Current.CancellationToken);
        using var onDevice = device.FitDynamics(Net, x, y, Options(ntk), TestContext.Current.CancellationToken);
        double[] times = [0, 2, 50, double.PositiveInfinity];
        var a = onCpu.Predict(test, times, covariance: true, TestContext.Current.CancellationToken);
        var b = onDevice.Predict(test, times, covariance: true, TestContext.Current.CancellationToken);
        for (int i = 0; i < times.Length; i++)
        {
            Assert.True(MaxAbs(a.Means[i] - b.Means[i]) <= 1e-9);
            Assert.True(MaxAbs(a.Covariances![i] - b.Covariances![i]) <= 1e-9);
            for (int j = 0; j < test.RowCount; j++)
            {
                Assert.True(Math.Abs(a.Variances[i][j] - b.Variances[i][j]) <= 1e-9);
            }
        }
    }

    [Fact]
    public void DiagReg_IsNeuralTangentsRelativeScale()
    {
        // diag_reg r adds r·mean(diag K) to the diagonal: the t = ∞ NNGP mean is then K_*D(K + r·mean·I)⁻¹Y.
        var (x, y, test) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var k = KernelsOf(engine, x, test);
        double r = 0.05;
        var regularised = k.Kdd + (Matrix<double>.Build.DenseIdentity(x.RowCount) * (r * k.Kdd.Diagonal().Average()));
        using var dynamics = engine.FitDynamics(Net, x, y, Options(ntk: false) with { DiagReg = r }, TestContext.Current.CancellationToken);
        var prediction = dynamics.Predict(test, [double.PositiveInfinity], cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(MaxAbs(prediction.Means[0] - (k.Ksd * regularised.Cholesky().Solve(y))) <= 1e-10);
    }

    [Fact]
    public void BadInput_NegativeOrNaNTime_LearningRate_AndAnIndefiniteKernel_AreRefused()
    {
        var (x, y, test) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var dynamics = engine.FitDynamics(Net, x, y, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains("≥ 0", Assert.Throws<NngpInputException>(() => dynamics.Predict(test, [1, -0.5], cancellationToken: TestContext.Current.CancellationToken)).Message, StringComparison.Ordinal);
        Assert.Throws<NngpInputException>(() => dynamics.Predict(test, [double.NaN], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<NngpInputException>(() => dynamics.Predict(test, [], cancellationToken: TestContext.Current.CancellationToken));
        foreach (double eta in (double[])[0, -1, double.NaN, double.PositiveInfinity])
        {
            var error = Assert.Throws<NngpInputException>(() => engine.FitDynamics(Net, x, y, new DynamicsOptions { LearningRate = eta }, TestContext.Current.CancellationToken));
            Assert.Equal("learningRate", error.Parameter);
        }

        Assert.Equal("diagReg", Assert.Throws<NngpInputException>(() => engine.FitDynamics(Net, x, y, new DynamicsOptions { DiagReg = -1 }, TestContext.Current.CancellationToken)).Parameter);

        // The network's kernels are positive semi-definite; the refusal itself is checked on a spectrum.
        var indefinite = Assert.Throws<NngpInputException>(() => DynamicsModel.Clamp([-1e-3, 0.2, 1.0], 1e-9, "Θ_DD"));
        Assert.Contains("indefinite", indefinite.Message, StringComparison.Ordinal);
        double[] rounding = [-1e-12, 0.2, 1.0];
        Assert.Equal(1e-9, DynamicsModel.Clamp(rounding, 1e-9, "K_DD"));
        Assert.Equal(0, rounding[0]);
    }

    [Fact]
    public void ExpMinusOne_IsAccurateNearZero()
    {
        foreach (double v in (double[])[1e-14, -3e-9, 1e-5, -0.3, -40])
        {
            // The series to four terms is exact to 1e-20 relative for |v| ≤ 1e-5; e^v − 1 is fine beyond.
            double expected = Math.Abs(v) <= 1e-5 ? v + (v * v / 2) + (v * v * v / 6) + (v * v * v * v / 24) : Math.Exp(v) - 1;
            Assert.Equal(expected, DynamicsModel.ExpMinusOne(v), Math.Abs(expected) * 1e-15);
        }
    }
}
