using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Spatial;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>
/// The fast spatial kernel (offset slices through the layers, SIMD lanes over pairs) against the
/// plan's host reference (the whole P × P block of every pair, layer by layer; itself checked
/// against plain loops over pixels in <see cref="SpatialOperationTests"/>), for every layer family,
/// padding, stride, readout and both kernels.
/// </summary>
public sealed class SliceEngineTests
{
    /// <summary>Networks by name, each on the images it is given: the cases a slice program must get right.</summary>
    public static TheoryData<string> Networks => [.. Cases.Keys];

    internal static readonly Dictionary<string, (Network Network, ImageShape Shape)> Cases = new()
    {
        ["conv-relu-flatten"] = (Nngp.Serial(Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(), Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1.6, 0.1)), new(5, 4, 2)),
        ["conv-relu-gap"] = (Nngp.Serial(Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(), Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1.6, 0.1)), new(5, 4, 2)),
        ["valid-stride-even-filter"] = (Nngp.Serial(Nngp.Conv(2, 3, 2, 0.05, Padding.Valid, 1, 2), Nngp.Erf(), Nngp.Conv(2, 2, 1.5, 0.2, Padding.Same, 2, 1), Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1, 0)), new(7, 6, 1)),
        ["circular"] = (Nngp.Serial(Nngp.Conv(3, 3, 1.8, 0.1, Padding.Circular), Nngp.Relu(), Nngp.Conv(3, 2, 1.2, 0.3), Nngp.Gelu(), Nngp.GlobalAvgPool(), Nngp.Dense(1, 0.1)), new(4, 5, 2)),
        ["pool-then-flatten"] = (Nngp.Serial(Nngp.Conv(3, 3, 2, 0), Nngp.Relu(), Nngp.AvgPool(2, 2), Nngp.Conv(3, 3, 2, 0), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(2, 0)), new(6, 4, 1)),
        ["pool-same-stride"] = (Nngp.Serial(Nngp.Conv(3, 3, 2, 0.1), Nngp.LeakyRelu(0.2), Nngp.AvgPool(3, 3, Padding.Same, 2, 2), Nngp.Conv(1, 1, 1.2, 0), Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1.5, 0)), new(5, 5, 1)),
        ["pool-first"] = (Nngp.Serial(Nngp.AvgPool(2, 2), Nngp.Conv(3, 3, 2, 0.1), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1, 0.1), Nngp.Relu(), Nngp.Dense(1, 0)), new(4, 6, 3)),
        ["residual"] = (Nngp.Serial(Nngp.Conv(3, 3, 1, 0), Nngp.Residual(Nngp.IdentityBranch, Nngp.Serial(Nngp.Relu(), Nngp.Conv(3, 3, 1, 0.1), Nngp.Erf(), Nngp.Conv(1, 1, 1, 0))), Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1, 0)), new(4, 4, 2)),
        ["custom"] = (Nngp.Serial(Nngp.Conv(3, 3, 1.5, 0.1), Nngp.Custom("cube", x => x * x * x, x => 3 * x * x), Nngp.Flatten(), Nngp.Dense(1, 0)), new(3, 2, 1)),
        ["myrtle-like"] = (Nngp.Serial(Nngp.Conv(3, 3, 2, 0), Nngp.Relu(), Nngp.AvgPool(2, 2), Nngp.Conv(3, 3, 2, 0), Nngp.Relu(), Nngp.AvgPool(2, 2), Nngp.AvgPool(2, 2), Nngp.Flatten(), Nngp.Dense(2, 0)), new(8, 8, 3)),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Kernel_EqualsTheReference(string name)
    {
        (Network network, ImageShape shape) = Cases[name];
        network = network.OnImages(shape.Height, shape.Width, shape.Channels);
        var plan = LayerPlan.Compile(network);
        Assert.NotNull(SliceProgram.TryCompile(plan, SpatialImages.Rule));
        var x = Images(7, shape, 3);
        var t = Images(4, shape, 4);
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        foreach (KernelKind kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            AssertClose(ReferenceKernel.Compute(plan, x, t, kind).ToMatrix(), engine.Kernel(network, x, t, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken), $"{name} {kind} cross");
            Matrix<double> square = engine.Kernel(network, x, null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken);
            AssertClose(ReferenceKernel.Compute(plan, x, null, kind).ToMatrix(), square, $"{name} {kind} square");
            Assert.Equal(square, square.Transpose());
        }
    }

    [Fact]
    public void FlattenReadout_ComputesTheDiagonalSliceOnly_AndPoolingTheSlicesItsWindowsRead()
    {
        var flat = Program(Nngp.Serial(Nngp.Conv(3, 3, 1, 0), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1, 0)), new(28, 28, 1));
        Assert.Equal(1, flat.Segments.Single().PairSlices.Count);

        var pooled = Program(Nngp.Serial(Nngp.Conv(3, 3, 1, 0), Nngp.Relu(), Nngp.AvgPool(2, 2), Nngp.Conv(1, 1, 1, 0), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1, 0)), new(8, 8, 1));
        Assert.Equal([0, -1, 1], pooled.Segments[0].PairSlices.Rows);
        Assert.Equal(1, pooled.Segments[1].PairSlices.Count);

        var global = Program(Nngp.Serial(Nngp.Conv(3, 3, 1, 0), Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1, 0)), new(5, 3, 1));
        Assert.Equal(9 * 5, global.Segments.Single().PairSlices.Count);
    }

    [Fact]
    public void ResidualBlockWithAPoolingInside_HasNoSliceForm_AndRunsOnTheReference()
    {
        var network = Nngp.Serial(Nngp.Conv(3, 3, 1, 0), Nngp.Residual(Nngp.IdentityBranch, Nngp.Serial(Nngp.AvgPool(3, 3, Padding.Same, 1, 1))), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1, 0))
            .OnImages(4, 4, 1);
        var plan = LayerPlan.Compile(network);
        Assert.Null(SliceProgram.TryCompile(plan, SpatialImages.Rule));
        var x = Images(3, new ImageShape(4, 4, 1), 9);
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        Assert.Equal(ReferenceKernel.Compute(plan, x, null, KernelKind.Ntk).ToMatrix(), engine.Kernel(network, x, null, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public void DuplicateImages_GiveThePointsOwnNtk_ToRounding()
    {
        // A pair (x, x) through the pair path (the column broadcast, its roots computed apart) must
        // give the point's own run: c = 1 on the diagonal slice, where Ḟ is infinitely steep.
        var shape = new ImageShape(6, 6, 2);
        var network = Nngp.Serial(Nngp.Conv(3, 3, 2, 0.05), Nngp.Relu(), Nngp.Conv(3, 3, 2, 0.05), Nngp.Relu(), Nngp.Conv(3, 3, 2, 0.05), Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(2, 0))
            .OnImages(6, 6, 2);
        var x = Images(5, shape, 21);
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        var own = engine.Kernel(network, x, null, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken).Diagonal();
        var pairs = engine.Kernel(network, x, x.Clone(), new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken).Diagonal();
        double error = (own - pairs).AbsoluteMaximum() / own.AbsoluteMaximum();
        Assert.True(error < 1e-14, $"relative error {error:G3}");
    }

    [Fact]
    public void ABarrierWhoseCovarianceCannotFit_IsRefusedNamingTheLayer()
    {
        // 256×256 images: the pooling reads P² = 4.3e9 pixel pairs per pair of images, 16 pairs at once.
        var network = Nngp.Serial(Nngp.Conv(3, 3, 2, 0), Nngp.Relu(), Nngp.AvgPool(2, 2), Nngp.Flatten(), Nngp.Dense(1, 0)).OnImages(256, 256, 1);
        var x = Images(2, new ImageShape(256, 256, 1), 1);
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        var error = Assert.Throws<NngpInputException>(() => engine.Kernel(network, x, null, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.StartsWith("AvgPool(2x2", error.Message, StringComparison.Ordinal);
        Assert.Contains("256×256 covariance", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LaneGroups_DoNotChangeAnEntry()
    {
        // 21 rows: a group of 16 lanes and a partial one; each entry must be the same as computed alone.
        var shape = new ImageShape(5, 5, 1);
        var network = Nngp.Serial(Nngp.Conv(3, 3, 2, 0.1), Nngp.Relu(), Nngp.AvgPool(2, 2, Padding.Same), Nngp.Conv(1, 1, 1, 0), Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1, 0)).OnImages(5, 5, 1);
        var x = Images(21, shape, 12);
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        var all = engine.Kernel(network, x, x, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken);
        foreach (int i in new[] { 0, 7, 15, 16, 20 })
        {
            var alone = engine.Kernel(network, x.SubMatrix(i, 1, 0, x.ColumnCount), x, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(all.Row(i), alone.Row(0));
        }
    }

    private static SliceProgram Program(Network network, ImageShape shape) =>
        SliceProgram.TryCompile(LayerPlan.Compile(network.OnImages(shape.Height, shape.Width, shape.Channels)), SpatialImages.Rule)
        ?? throw new InvalidOperationException("no slice form");

    private static Matrix<double> Images(int count, ImageShape shape, int seed) =>
        Matrix<double>.Build.Dense(count, shape.Features, SpatialImages.Random(count, shape, seed));

    private static void AssertClose(Matrix<double> expected, Matrix<double> actual, string what)
    {
        double scale = expected.Enumerate().Max(Math.Abs);
        double error = (expected - actual).Enumerate().Max(Math.Abs);
        Assert.True(error <= 1e-13 * scale, $"{what}: max error {error:G3} of scale {scale:G3}");
    }
}
