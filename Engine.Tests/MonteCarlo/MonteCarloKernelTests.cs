using GpuNngp.Engine.MonteCarlo;
using GpuNngp.Solvers;
using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.MonteCarlo;

/// <summary>
/// One draw of the Monte Carlo kernels against a direct implementation here: the network's output
/// written out as loops over the same parameters (the generator of draw 0, weights column-major then
/// biases, layer by layer), its NNGP estimate (1/W)·Σ_k f_k(x)f_k(x′), and its NTK J·Jᵀ with J the
/// central finite differences of f₀ in every parameter; also determinism and bad input.
/// </summary>
public sealed class MonteCarloKernelTests
{
    private const int Width = 4;
    private const int Seed = 7;

    private static readonly Matrix<double> Inputs = Matrix<double>.Build.DenseOfArray(new double[,]
    {
        { 0.7, -0.4, 1.1 },
        { -0.2, 0.9, 0.3 },
        { 1.3, 0.5, -0.8 },
    });

    private static readonly (double Weight, double Bias)[] Variances = [(1.6, 0.2), (1.2, 0.1), (1.8, 0.3)];

    public static TheoryData<string> ActivationNames => ["erf", "tanh", "gelu"];

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void OneDraw_MatchesTheDirectNetworkAndFiniteDifferences(string name)
    {
        var (layer, phi) = name switch
        {
            "erf" => (Nngp.Erf(), (Func<double, double>)SpecialFunctions.Erf),
            "tanh" => (Nngp.Tanh(), Math.Tanh),
            _ => (Nngp.Gelu(), x => x * 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2))),
        };
        Network network = Nngp.Serial(
            Nngp.Dense(Variances[0].Weight, Variances[0].Bias), layer,
            Nngp.Dense(Variances[1].Weight, Variances[1].Bias), layer,
            Nngp.Dense(Variances[2].Weight, Variances[2].Bias));
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var one = new MonteCarloOptions { Width = Width, Samples = 1, Seed = Seed };
        Matrix<double> nngp = engine.MonteCarloKernel(network, Inputs, null, one, TestContext.Current.CancellationToken);
        Matrix<double> ntk = engine.MonteCarloKernel(network, Inputs, null, one with { Kind = KernelKind.Ntk }, TestContext.Current.CancellationToken);

        double[] theta = DrawParameters(new Random(MonteCarloEstimator.DrawSeed(Seed, 0)));
        int n = Inputs.RowCount;
        var outputs = Enumerable.Range(0, n).Select(p => Forward(theta, Inputs.Row(p).ToArray(), phi)).ToArray();
        var jacobian = new double[n][];
        const double step = 1e-5;
        for (int p = 0; p < n; p++)
        {
            jacobian[p] = new double[theta.Length];
            for (int t = 0; t < theta.Length; t++)
            {
                double saved = theta[t];
                theta[t] = saved + step;
                double up = Forward(theta, Inputs.Row(p).ToArray(), phi)[0];
                theta[t] = saved - step;
                double down = Forward(theta, Inputs.Row(p).ToArray(), phi)[0];
                theta[t] = saved;
                jacobian[p][t] = (up - down) / (2 * step);
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double directNngp = Enumerable.Range(0, Width).Sum(k => outputs[i][k] * outputs[j][k]) / Width;
                double jjt = Enumerable.Range(0, theta.Length).Sum(t => jacobian[i][t] * jacobian[j][t]);
                Assert.True(Math.Abs(nngp[i, j] - directNngp) <= 1e-12 * Math.Max(1, Math.Abs(directNngp)), $"{name} NNGP ({i},{j}): {nngp[i, j]:G17} vs direct {directNngp:G17}");
                Assert.True(Math.Abs(ntk[i, j] - jjt) <= 1e-7 * Math.Max(1, Math.Abs(jjt)), $"{name} NTK ({i},{j}): {ntk[i, j]:G17} vs J·Jᵀ {jjt:G17}");
            }
        }
    }

    [Fact]
    public void SameSeed_SameEstimate_OtherSeed_Other()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Network network = Nngp.FullyConnected(2, Nngp.Relu(), 2, 0.1);
        var options = new MonteCarloOptions { Width = 32, Samples = 3, Seed = 5, Kind = KernelKind.Ntk };
        var ct = TestContext.Current.CancellationToken;
        Matrix<double> first = engine.MonteCarloKernel(network, Inputs, null, options, ct);
        Matrix<double> again = engine.MonteCarloKernel(network, Inputs, null, options, ct);
        Matrix<double> other = engine.MonteCarloKernel(network, Inputs, null, options with { Seed = 6 }, ct);
        Assert.Equal(first.ToColumnMajorArray(), again.ToColumnMajorArray());
        Assert.NotEqual(first.ToColumnMajorArray(), other.ToColumnMajorArray());
        Assert.True(first.Equals(first.Transpose()), "the NTK estimate of X with itself is not symmetric");

        // A cross kernel is the (x1, x2) block of the kernel of the stacked points, drawn the same way.
        Matrix<double> x2 = Inputs.SubMatrix(1, 2, 0, 3);
        Matrix<double> cross = engine.MonteCarloKernel(network, Inputs, x2, options, ct);
        Matrix<double> stacked = engine.MonteCarloKernel(network, Inputs.Stack(x2), null, options, ct);
        Assert.Equal(stacked.SubMatrix(0, 3, 3, 2).ToColumnMajorArray(), cross.ToColumnMajorArray());
    }

    [Fact]
    public void NativeAndManagedBlas_GiveTheSameEstimate()
    {
        Network network = Nngp.FullyConnected(2, Nngp.Erf(), 1.5, 0.2);
        var options = new MonteCarloOptions { Width = 48, Samples = 2, Seed = 3, Kind = KernelKind.Ntk };
        var ct = TestContext.Current.CancellationToken;
        using var managed = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        using var native = NngpEngine.Create(DeviceKind.Cpu);
        Matrix<double> a = managed.MonteCarloKernel(network, Inputs, null, options, ct);
        Matrix<double> b = native.MonteCarloKernel(network, Inputs, null, options, ct);
        Assert.True((a - b).InfinityNorm() <= 1e-12 * b.InfinityNorm(), $"managed and native BLAS differ by {(a - b).InfinityNorm():G3}");
    }

    [Fact]
    public void Progress_ReportsTheFractionOfDrawsDone()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var reports = new RecordingProgress();
        var options = new MonteCarloOptions { Width = 8, Samples = 4, Progress = reports };
        engine.MonteCarloKernel(Nngp.FullyConnected(1, Nngp.Relu(), 2, 0.1), Inputs, null, options, TestContext.Current.CancellationToken);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], reports.Fractions);
        Assert.All(reports.Stages, stage => Assert.Equal(Stage.LayerMap, stage));
    }

    [Fact]
    public void BadInput_IsRefusedInOneLine()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Network dense = Nngp.FullyConnected(1, Nngp.Relu(), 2, 0.1);
        var ct = TestContext.Current.CancellationToken;
        var width = Assert.Throws<NngpInputException>(() => engine.MonteCarloKernel(dense, Inputs, null, new MonteCarloOptions { Width = 0 }, ct));
        Assert.Equal("MonteCarloOptions.Width must be ≥ 1, got 0", width.Message);
        var samples = Assert.Throws<NngpInputException>(() => engine.MonteCarloKernel(dense, Inputs, null, new MonteCarloOptions { Samples = -2 }, ct));
        Assert.Equal("MonteCarloOptions.Samples must be ≥ 1, got -2", samples.Message);
        Network shapeless = Nngp.Serial(Nngp.Conv(3, 3, 2, 0), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(2, 0));
        var noShape = Assert.Throws<NngpInputException>(() => engine.MonteCarloKernel(shapeless, Matrix<double>.Build.Dense(2, 16, 1), null, null, ct));
        Assert.Contains("OnImages", noShape.Message, StringComparison.Ordinal);
        var features = Assert.Throws<NngpInputException>(() => engine.MonteCarloKernel(shapeless.OnImages(4, 4, 1), Matrix<double>.Build.Dense(2, 15, 1), null, null, ct));
        Assert.Equal("the inputs have 15 features per row but images of 4×4×1 have 16", features.Message);

        // At finite width a skip connection around the first Conv would add 1 image channel to 8 channels.
        Network skip = Nngp.Serial(Nngp.Residual(Nngp.Serial(Nngp.Conv(3, 3, 2, 0)), Nngp.IdentityBranch), Nngp.Flatten(), Nngp.Dense(2, 0)).OnImages(4, 4, 1);
        var channels = Assert.Throws<NngpInputException>(() => engine.MonteCarloKernel(skip, Matrix<double>.Build.Dense(2, 16, 1), null, new MonteCarloOptions { Width = 8 }, ct));
        Assert.StartsWith("layer 1 (Residual(", channels.Message, StringComparison.Ordinal);
        Assert.Contains("at width 8 branch 2 gives 4×4 × 1 channels but branch 1 gives 4×4 × 8 channels", channels.Message, StringComparison.Ordinal);
        Network custom = Nngp.FullyConnected(1, Nngp.Custom("cube", x => x * x * x), 1, 0);
        var derivative = Assert.Throws<NngpInputException>(() => engine.MonteCarloKernel(custom, Inputs, null, new MonteCarloOptions { Kind = KernelKind.Ntk }, ct));
        Assert.Contains("'cube'", derivative.Message, StringComparison.Ordinal);
        Assert.Throws<NngpInputException>(() => engine.MonteCarloKernel(dense, Inputs, Matrix<double>.Build.Dense(2, 4, 1), null, ct));
        var nan = Inputs.Clone();
        nan[1, 1] = double.NaN;
        Assert.Throws<NngpInputException>(() => engine.MonteCarloKernel(dense, nan, null, null, ct));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => engine.MonteCarloKernel(dense, Inputs, null, null, cancelled.Token));
    }

    /// <summary>θ in the sampler's order: for each layer the W × n_in weights column-major, then the W biases.</summary>
    private static double[] DrawParameters(Random random)
    {
        int count = 0, fanIn = Inputs.ColumnCount;
        foreach (var _ in Variances)
        {
            count += Width * fanIn + Width;
            fanIn = Width;
        }

        return [.. Enumerable.Range(0, count).Select(_ => Normal.Sample(random, 0, 1))];
    }

    /// <summary>The W readout outputs of the network with parameters θ (NTK parameterisation), by plain loops.</summary>
    private static double[] Forward(double[] theta, double[] x, Func<double, double> phi)
    {
        double[] a = x;
        int offset = 0;
        for (int l = 0; l < Variances.Length; l++)
        {
            int fanIn = a.Length;
            var z = new double[Width];
            for (int i = 0; i < Width; i++)
            {
                double sum = 0;
                for (int j = 0; j < fanIn; j++)
                {
                    sum += theta[offset + i + j * Width] * a[j];
                }

                z[i] = Math.Sqrt(Variances[l].Weight / fanIn) * sum + Math.Sqrt(Variances[l].Bias) * theta[offset + Width * fanIn + i];
            }

            offset += Width * fanIn + Width;
            a = l == Variances.Length - 1 ? z : [.. z.Select(phi)];
        }

        return a;
    }

    /// <summary>Records every report at once, on the caller's thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class RecordingProgress : IProgress<StageProgress>
    {
        public List<double> Fractions { get; } = [];

        public List<Stage> Stages { get; } = [];

        public void Report(StageProgress value)
        {
            Fractions.Add(value.Fraction);
            Stages.Add(value.Stage);
        }
    }
}
