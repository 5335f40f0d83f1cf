using GpuNngp.Engine.Architecture;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>
/// A convolutional network through the engine's one pipeline (the providers' spatial kernel): the
/// kernel is the plan's reference record to rounding, and a fit's posterior equals the explicit
/// dense formulas written here from the engine's own kernels.
/// </summary>
public sealed class ConvolutionalEngineTests
{
    private static readonly ImageShape Shape = new(4, 4, 2);

    private static Network Net(bool pooled) => Nngp.Serial(
        Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(), Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(),
        pooled ? Nngp.GlobalAvgPool() : Nngp.Flatten(), Nngp.Dense(1.6, 0.1)).OnImages(4, 4, 2);

    private static Matrix<double> Images(int count, int seed) =>
        Matrix<double>.Build.Dense(count, Shape.Features, SpatialImages.Random(count, Shape, seed));

    [Theory]
    [InlineData(false, KernelKind.Nngp)]
    [InlineData(true, KernelKind.Ntk)]
    public void Kernel_IsThePlansReferenceRecord(bool pooled, KernelKind kind)
    {
        var x = Images(5, 31);
        var t = Images(3, 32);
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        var square = engine.Kernel(Net(pooled), x, null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken);
        var cross = engine.Kernel(Net(pooled), x, t, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken);
        var plan = LayerPlan.Compile(Net(pooled));
        var input = ImageInput.FromImages(x.ToColumnMajorArray(), 5, Shape, t.ToColumnMajorArray(), 3, Shape, withNtk: kind == KernelKind.Ntk);
        var record = plan.Apply(input, SpatialImages.Rule);
        double[] expected = (kind == KernelKind.Ntk ? record.Ntk : record.Nngp).ToArray();
        double scale = expected.Max(Math.Abs);
        double error = expected.Zip(cross.ToColumnMajorArray(), (e, a) => Math.Abs(e - a)).Max();
        Assert.True(error <= 1e-13 * scale, $"max error {error} of scale {scale}");
        double asymmetry = (square - square.Transpose()).InfinityNorm();
        Assert.True(asymmetry == 0, $"asymmetry {asymmetry}");
        double smallest = square.Evd().EigenValues.Real().Minimum();
        Assert.True(smallest > -1e-12 * square.InfinityNorm(), $"smallest eigenvalue {smallest} of a kernel of norm {square.InfinityNorm()}");
    }

    [Fact]
    public void FitAndPredict_MatchTheExplicitFormulas_FromTheEnginesKernels()
    {
        var x = Images(8, 41);
        var t = Images(4, 42);
        var y = Matrix<double>.Build.Dense(8, 2, (i, c) => Math.Sin(i + 2 * c));
        const double Noise = 1e-3;
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        var net = Net(pooled: false);
        using var posterior = engine.Fit(net, x, y, new FitOptions { Noise = Noise }, cancellationToken: TestContext.Current.CancellationToken);
        var prediction = posterior.Predict(t, cancellationToken: TestContext.Current.CancellationToken);

        var k = engine.Kernel(net, x, cancellationToken: TestContext.Current.CancellationToken);
        var kTest = engine.Kernel(net, t, x, cancellationToken: TestContext.Current.CancellationToken);
        var a = k + Noise * Matrix<double>.Build.DenseIdentity(8);
        var mean = kTest * a.Solve(y);
        Assert.True((prediction.Mean - mean).InfinityNorm() <= 1e-9 * (1 + mean.InfinityNorm()));
        var prior = engine.Kernel(net, t, cancellationToken: TestContext.Current.CancellationToken).Diagonal();
        var explained = (kTest * a.Inverse() * kTest.Transpose()).Diagonal();
        for (int j = 0; j < t.RowCount; j++)
        {
            Assert.Equal(prior[j] - explained[j], prediction.Variance![j], 9);
        }
    }

    [Fact]
    public void AConvolutionalNetwork_WithoutItsImageShape_IsRefusedNamingTheFix()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var net = Nngp.Serial(Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1.6, 0.1));
        var e = Assert.Throws<NngpInputException>(() => engine.Kernel(net, Images(3, 1), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("Network.OnImages", e.Message, StringComparison.Ordinal);
        var wrong = Assert.Throws<NngpInputException>(() => engine.Kernel(net.OnImages(4, 4, 2), Matrix<double>.Build.Dense(3, 31), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("31 features", wrong.Message, StringComparison.Ordinal);
    }
}
