using GpuNngp.Data;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Spatial;
using GpuNngp.Experiments.Evaluation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Simd;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>
/// The spatial kernel's FP32 option (<see cref="KernelPrecision.Single"/>): its float closed forms
/// against the scalar double ones, its kernels against the FP64 kernel and the plan's reference
/// within the bound docs/benchmarks.md states, and an MNIST posterior that classifies as FP64's does.
/// </summary>
public sealed class SinglePrecisionTests
{
    /// <summary>The bound on FP32's entrywise relative error stated in docs/benchmarks.md (measured up to 5.4e-5: the NTK on MNIST).</summary>
    private const double StatedBound = 1e-4;

    private static readonly KernelOptions Single = new() { Precision = KernelPrecision.Single };

    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.2, 1.0)]
    public void FloatAbRelu_IsTheScalarClosedForm_ToFloatRounding(double a, double b)
    {
        // Away from c = ±1 (where Ḟ is infinitely steep and float's rounding of c moves it most), F to
        // a few float ulps of its scale √(q₁q₂) and Ḟ to a few ulps of its 0.5.
        var random = new Random(8);
        for (int trial = 0; trial < 4000; trial++)
        {
            double q1 = Math.Exp(random.NextDouble() * 8 - 4), q2 = Math.Exp(random.NextDouble() * 8 - 4);
            double c = 1.998 * random.NextDouble() - 0.999;
            double norm = Math.Sqrt(q1) * Math.Sqrt(q2);
            var (f, fDot) = SliceClosedForms.AbRelu(a, b, Single512Pair.Broadcast(c * norm), Single512Pair.Broadcast(norm), Single512Pair.Broadcast(1 / norm));
            DualMoments expected = ClosedForms.AbRelu(a, b, c * norm, q1, q2);
            Assert.True(Math.Abs(f.Lane(0) - expected.F) <= 2e-6 * norm, $"F(c = {c}) = {f.Lane(0)}, scalar {expected.F}");
            Assert.True(Math.Abs(fDot.Lane(0) - expected.FDot) <= 2e-5, $"Ḟ(c = {c}) = {fDot.Lane(0)}, scalar {expected.FDot}");
        }

        // A point with itself: c = 1 exactly, Ḟ = (a² + b²)/2.
        var (_, unit) = SliceClosedForms.AbRelu(a, b, Single512Pair.Broadcast(3), Single512Pair.Broadcast(3), Single512Pair.Broadcast(1.0 / 3));
        Assert.Equal((float)(0.5 * ((a * a) + (b * b))), (float)unit.Lane(0));
    }

    [Fact]
    public void FloatRootAndQuotient_AreWithinAFloatUlpOrTwo()
    {
        var random = new Random(9);
        Assert.Equal(0.0, SliceClosedForms.SqrtByNewton(Single512Pair.Broadcast(0)).Lane(0));
        for (int trial = 0; trial < 20000; trial++)
        {
            float y = (float)Math.Exp(random.NextDouble() * 30 - 15);
            double root = SliceClosedForms.SqrtByNewton(Single512Pair.Broadcast(y)).Lane(0);
            Assert.True(Math.Abs(root - Math.Sqrt(y)) <= 1.2e-7 * Math.Sqrt(y), $"√{y} = {root}, Math.Sqrt {Math.Sqrt(y)}");
            float n = (float)(4 * random.NextDouble() - 2), d = (float)(1 + (4 * random.NextDouble()));
            double q = SliceClosedForms.QuotientByNewton(Single512Pair.Broadcast(n), Single512Pair.Broadcast(d)).Lane(0);
            Assert.True(Math.Abs(q - ((double)n / d)) <= 1.2e-7 * Math.Abs((double)n / d), $"{n}/{d} = {q}, divided {(double)n / d}");
        }
    }

    [Theory]
    [MemberData(nameof(SliceEngineTests.Networks), MemberType = typeof(SliceEngineTests))]
    public void EveryLayerFamily_InFloat_IsTheReference_ToTheStatedBound(string name)
    {
        (Network network, ImageShape shape) = SliceEngineTests.Cases[name];
        network = network.OnImages(shape.Height, shape.Width, shape.Channels);
        var plan = LayerPlan.Compile(network);
        var x = Matrix<double>.Build.Dense(7, shape.Features, SpatialImages.Random(7, shape, 3));
        var t = Matrix<double>.Build.Dense(4, shape.Features, SpatialImages.Random(4, shape, 4));
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        foreach (KernelKind kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            double error = Relative(ReferenceKernel.Compute(plan, x, t, kind).ToMatrix(), engine.Kernel(network, x, t, Single with { Kind = kind }, TestContext.Current.CancellationToken));
            _output?.WriteLine($"{name} {kind}: max relative error {error:G3}");
            Assert.True(error <= StatedBound, $"{name} {kind}: max relative error {error:G3}");
        }
    }

    [Theory]
    [InlineData("flatten")]
    [InlineData("gap")]
    public void TheReadmeNetworksOnMnist_InFloat_AgreeWithFp64_ToTheStatedBound_AndAreFloat(string readout)
    {
        // The two networks on 28×28 digits; 34 rows: a full bundle of 32 float lanes and a partial one.
        var network = ReadmeNetwork(readout);
        (Matrix<double> x, _, Matrix<double> t, _) = Mnist(readout == "gap" ? 34 : 66, readout == "gap" ? 2 : 8);
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        foreach (KernelKind kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            var options = new KernelOptions { Kind = kind };
            var fp64 = engine.Kernel(network, x, t, options, TestContext.Current.CancellationToken);
            var fp32 = engine.Kernel(network, x, t, options with { Precision = KernelPrecision.Single }, TestContext.Current.CancellationToken);
            double error = Relative(fp64, fp32);
            _output?.WriteLine($"{readout} {kind}: max relative error {error:G3}");
            Assert.True(error <= StatedBound, $"{readout} {kind}: max relative error {error:G3}");

            // The option takes effect: float's rounding shows (FP64 agrees with itself far below this).
            Assert.True(error > 1e-9, $"{readout} {kind}: FP32 equals FP64 to {error:G3}, as if it ran in double");
        }
    }

    [Fact]
    public void AnMnistPosterior_InFloat_ClassifiesAsFp64Does()
    {
        var network = ReadmeNetwork("flatten");
        (Matrix<double> x, Matrix<double> y, Matrix<double> t, int[] labels) = Mnist(200, 100);
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        int[] Classes(KernelPrecision precision)
        {
            using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = 1e-3, Precision = precision }, TestContext.Current.CancellationToken);
            return posterior.PredictMean(t, cancellationToken: TestContext.Current.CancellationToken).PredictedClasses();
        }

        int[] fp64 = Classes(KernelPrecision.Double), fp32 = Classes(KernelPrecision.Single);
        double accuracy64 = fp64.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;
        double accuracy32 = fp32.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;
        _output?.WriteLine($"accuracy FP64 {accuracy64:F3}, FP32 {accuracy32:F3}");
        Assert.True(accuracy64 > 0.7, $"FP64 accuracy {accuracy64:F3}: the task is not learnt, so the comparison says nothing");
        Assert.Equal(accuracy64, accuracy32);
    }

    [Fact]
    public void APrecisionThatIsNotOne_IsRefusedNamingTheOption()
    {
        var network = ReadmeNetwork("flatten");
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        var error = Assert.Throws<NngpInputException>(() => engine.Kernel(network, Matrix<double>.Build.Dense(2, 784), null, new KernelOptions { Precision = (KernelPrecision)3 }, TestContext.Current.CancellationToken));
        Assert.Equal("KernelOptions.Precision is not a KernelPrecision (3)", error.Message);
    }

    [Fact]
    public void ADenseNetwork_IgnoresThePrecision()
    {
        var network = Nngp.Serial(Nngp.Dense(1.6, 0.1), Nngp.Relu(), Nngp.Dense(1.6, 0.1));
        var x = Matrix<double>.Build.Dense(9, 5, (i, j) => Math.Sin(i + (3 * j)));
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        Assert.Equal(engine.Kernel(network, x, null, new KernelOptions(), TestContext.Current.CancellationToken), engine.Kernel(network, x, null, Single, TestContext.Current.CancellationToken));
    }

    /// <summary><c>(conv:3x3:same:1.6:0.1,relu)*2,flatten|gap,dense:1.6:0.1</c> on 28×28×1.</summary>
    internal static Network ReadmeNetwork(string readout) =>
        Nngp.Serial(Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu()).Repeat(2)
            .Then(readout == "gap" ? Nngp.GlobalAvgPool() : Nngp.Flatten(), Nngp.Dense(1.6, 0.1))
            .OnImages(28, 28, 1);

    /// <summary>The first <paramref name="train"/> and last <paramref name="test"/> embedded digits, preprocessed as the paper does.</summary>
    private static (Matrix<double> X, Matrix<double> Y, Matrix<double> XTest, int[] TestLabels) Mnist(int train, int test)
    {
        var split = DataSplit.Load(DataSplit.Mnist10kName, train, test);
        return (Preprocessing.StandardisePerExample(split.Train.Images), Preprocessing.OneHotTargets(split.Train.Labels, 10),
            Preprocessing.StandardisePerExample(split.Test.Images), split.Test.Labels);
    }

    /// <summary>max |actual − expected| / |expected| over the entries.</summary>
    private static double Relative(Matrix<double> expected, Matrix<double> actual)
    {
        Assert.Equal((expected.RowCount, expected.ColumnCount), (actual.RowCount, actual.ColumnCount));
        return expected.Enumerate().Zip(actual.Enumerate()).Max(p => Math.Abs(p.Second - p.First) / Math.Abs(p.First));
    }
}
