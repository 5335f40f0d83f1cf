using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Kernels;

/// <summary>Structural properties every NNGP/NTK kernel has, for every activation, on the CPU engine.</summary>
public sealed class KernelPropertyTests
{
    private const double WeightVariance = 1.6;
    private const double BiasVariance = 0.2;
    private const int Depth = 3;

    public static TheoryData<string, KernelKind> ActivationsAndKinds
    {
        get
        {
            var data = new TheoryData<string, KernelKind>();
            foreach (string name in Nngp.ActivationNames)
            {
                data.Add(name, KernelKind.Nngp);
                data.Add(name, KernelKind.Ntk);
            }

            return data;
        }
    }

    public static TheoryData<string> ActivationNames => new(Nngp.ActivationNames);

    /// <summary>14 points in d = 6 with norms ‖x‖²/d from about 0.05 to 5, two of them parallel and one repeated.</summary>
    private static Matrix<double> Points()
    {
        var random = new Random(21);
        var x = Matrix<double>.Build.Dense(14, 6, (_, _) => 2 * random.NextDouble() - 1);
        for (int i = 0; i < x.RowCount; i++)
        {
            x.SetRow(i, x.Row(i) * (0.3 + 0.25 * i));
        }

        x.SetRow(12, x.Row(3) * 2.5);
        x.SetRow(13, x.Row(5));
        return x;
    }

    private static Network Network(string name, int depth = Depth, double weightVariance = WeightVariance) =>
        Nngp.FullyConnected(depth, Nngp.ActivationByName(name, slope: 0.1), weightVariance, BiasVariance);

    [Theory]
    [MemberData(nameof(ActivationsAndKinds))]
    public void Kernel_IsExactlySymmetric_AndPositiveSemiDefinite(string name, KernelKind kind)
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Matrix<double> k = engine.Kernel(Network(name), Points(), null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken);
        for (int i = 0; i < k.RowCount; i++)
        {
            Assert.True(k[i, i] > 0, $"{name} {kind}: diagonal {i} is {k[i, i]}");
            for (int j = 0; j < i; j++)
            {
                Assert.Equal(k[i, j], k[j, i]);
            }
        }

        double minimum = k.Evd(Symmetricity.Symmetric).EigenValues.Real().Minimum();
        Assert.True(minimum >= -1e-10 * k.Trace(), FormattableString.Invariant($"{name} {kind}: smallest eigenvalue {minimum:E3}, trace {k.Trace():E3}"));

        // The repeated point (row 13 = row 5) makes K singular: its smallest eigenvalue is 0 up to
        // rounding, which the bound above must tolerate.
        for (int j = 0; j < k.ColumnCount; j++)
        {
            Assert.True(Math.Abs(k[5, j] - k[13, j]) <= 1e-13 * Math.Sqrt(k[5, 5] * k[j, j]));
        }
    }

    [Theory]
    [MemberData(nameof(ActivationsAndKinds))]
    public void CrossKernel_EqualsTheBlockOfTheJointKernel(string name, KernelKind kind)
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Matrix<double> x = Points();
        Matrix<double> x1 = x.SubMatrix(0, 9, 0, x.ColumnCount);
        Matrix<double> x2 = x.SubMatrix(9, 5, 0, x.ColumnCount);
        Matrix<double> joint = engine.Kernel(Network(name), x, null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken);
        Matrix<double> cross = engine.Kernel(Network(name), x1, x2, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken);
        Matrix<double> first = engine.Kernel(Network(name), x1, null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken);

        // K⁰ comes from syrk for the joint kernel and gemm for the cross kernel: the sums may round
        // differently by an ulp or two, which the smooth layer maps pass on unamplified (≤ 1e-12 of
        // the scale). Not so for identical or parallel points (c = 1): arccos has infinite slope
        // there, θ ≈ √(2(1 − c)), so an ulp in c moves the ReLU-family Ḟ = (π − θ)/(2π)… by
        // √(2·1e-16) ≈ 1.5e-8 per layer (measured 2.1e-8 for the Abs NTK); those pairs get 1e-6.
        for (int i = 0; i < 9; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                double scale = Math.Sqrt(joint[i, i] * joint[9 + j, 9 + j]);
                bool parallel = (i, 9 + j) is (5, 13) or (3, 12);
                double tolerance = parallel ? 1e-6 : 1e-12;
                Assert.True(
                    Math.Abs(cross[i, j] - joint[i, 9 + j]) <= tolerance * scale,
                    FormattableString.Invariant($"{name} {kind} ({i},{j}): {cross[i, j]:R} vs {joint[i, 9 + j]:R}"));
            }

            for (int j = 0; j < 9; j++)
            {
                double scale = Math.Sqrt(joint[i, i] * joint[j, j]);
                Assert.True(Math.Abs(first[i, j] - joint[i, j]) <= 1e-12 * scale, $"{name} {kind} ({i},{j})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Ntk_IsAtLeastNngp_OnTheDiagonal(string name)
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Matrix<double> x = Points();
        Matrix<double> nngp = engine.Kernel(Network(name), x, null, new KernelOptions { Kind = KernelKind.Nngp }, cancellationToken: TestContext.Current.CancellationToken);
        Matrix<double> ntk = engine.Kernel(Network(name), x, null, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken);

        // Θ^{l+1} = K^{l+1} + σw²·Ḟ·Θ^l with Ḟ(q, q, q) = E[φ′(u)²] ≥ 0 and Θ¹ = K¹ > 0.
        for (int i = 0; i < x.RowCount; i++)
        {
            Assert.True(ntk[i, i] >= nngp[i, i], FormattableString.Invariant($"{name}: Θ({i},{i}) = {ntk[i, i]:R} < K = {nngp[i, i]:R}"));
        }
    }

    /// <summary>
    /// Depth 0 is Bayesian linear regression: K = σb² + σw²·x·x′/d. With integer inputs, d = 4 and
    /// dyadic variances every operation is exact, so the engine must reproduce it bit for bit; the
    /// NTK of depth 0 is the same kernel (Θ¹ = K¹).
    /// </summary>
    [Fact]
    public void DepthZero_IsLinearRegression_Exactly()
    {
        var random = new Random(5);
        var x = Matrix<double>.Build.Dense(7, 4, (_, _) => random.Next(-9, 10));
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Network linear = Nngp.FullyConnected(0, Nngp.Relu(), 1.5, 0.25);
        Matrix<double> nngp = engine.Kernel(linear, x, cancellationToken: TestContext.Current.CancellationToken);
        Matrix<double> ntk = engine.Kernel(linear, x, null, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken);
        for (int i = 0; i < x.RowCount; i++)
        {
            for (int j = 0; j < x.RowCount; j++)
            {
                double expected = 0.25 + 1.5 * x.Row(i).DotProduct(x.Row(j)) / 4;
                Assert.Equal(expected, nngp[i, j]);
                Assert.Equal(expected, ntk[i, j]);
            }
        }
    }

    [Fact]
    public void DepthZero_RandomInputs_AgreesToRounding()
    {
        var random = new Random(6);
        var x1 = Matrix<double>.Build.Dense(6, 7, (_, _) => random.NextDouble() * 4 - 2);
        var x2 = Matrix<double>.Build.Dense(3, 7, (_, _) => random.NextDouble() * 4 - 2);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Matrix<double> k = engine.Kernel(Nngp.FullyConnected(0, Nngp.Tanh(), 1.3, 0.1), x1, x2, cancellationToken: TestContext.Current.CancellationToken);
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                double expected = 0.1 + 1.3 * x1.Row(i).DotProduct(x2.Row(j)) / 7;
                double scale = 0.1 + 1.3 * x1.Row(i).L2Norm() * x2.Row(j).L2Norm() / 7;
                Assert.True(Math.Abs(k[i, j] - expected) <= 1e-15 * scale);
            }
        }
    }

    /// <summary>
    /// The whole engine against the ReLU recursion written out by hand: on the diagonal
    /// q_{l+1} = σb² + σw²·q_l/2 and Θ_{l+1} = q_{l+1} + σw²·Θ_l/2.
    /// </summary>
    [Fact]
    public void ReluDiagonal_FollowsTheScalarRecursion()
    {
        Matrix<double> x = Points();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Network network = Nngp.FullyConnected(7, Nngp.Relu(), 1.45, 0.28);
        Matrix<double> nngp = engine.Kernel(network, x, cancellationToken: TestContext.Current.CancellationToken);
        Matrix<double> ntk = engine.Kernel(network, x, null, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken);
        for (int i = 0; i < x.RowCount; i++)
        {
            double q = 0.28 + 1.45 * x.Row(i).DotProduct(x.Row(i)) / x.ColumnCount;
            double theta = q;
            for (int l = 0; l < 7; l++)
            {
                q = 0.28 + 1.45 * q / 2;
                theta = q + 1.45 * 0.5 * theta;
            }

            Assert.True(Math.Abs(nngp[i, i] - q) <= 1e-14 * q);
            Assert.True(Math.Abs(ntk[i, i] - theta) <= 1e-14 * theta);
        }
    }
}
