using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Tests.LayerPlans;
using GpuNngp.Kernels;
using Xunit;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>
/// The spatial path where it meets the flat one and where it must refuse: a dense network run as
/// 1 × 1 convolutions on 1 × 1 images equals the fused dense map (≤ 1e-13); a residual sum is the
/// sum of its branches; bad shapes (a valid window larger than the image, pooling windows that do
/// not tile it, images of different channels, mismatched branches) give one-line errors naming the layer.
/// </summary>
public sealed class SpatialPathTests
{
    private const double Tolerance = 1e-13;

    public static TheoryData<string, int, bool> DenseCases()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (string activation in new[] { "relu", "erf", "identity" })
        {
            foreach (int depth in new[] { 0, 1, 3 })
            {
                data.Add(activation, depth, true);
                data.Add(activation, depth, false);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DenseCases))]
    public void DenseNetwork_AsOneByOneConvolutions_EqualsTheFusedPath(string activation, int depth, bool symmetric)
    {
        const double Sw = 1.5, Sb = 0.1;
        KernelRecord flatInput = PlanInputs.Input(symmetric);
        KernelRecord fused = LayerPlan.Compile(PlanInputs.Network(activation, depth)).Apply(flatInput, SpatialImages.Rule);

        // The same points as 1 × 1 images of d channels: K⁰ = Σ_c x_c x′_c / C = x·x′/d.
        var shape = new ImageShape(1, 1, PlanInputs.Dimension);
        int columns = symmetric ? PlanInputs.RowCount : PlanInputs.ColumnCount;
        KernelRecord imageInput = ImageInput.FromImages(
            PlanInputs.Points(PlanInputs.RowCount, 1), PlanInputs.RowCount, shape, symmetric ? null : PlanInputs.Points(columns, 2), columns, shape, withNtk: true);
        var operations = new List<ILayerOperation> { Conv1x1(Sw, Sb) };
        for (int layer = 0; layer < depth; layer++)
        {
            operations.Add(new ActivationOperation(Nngp.ActivationByName(activation)));
            operations.Add(Conv1x1(Sw, Sb));
        }

        operations.Add(new FlattenOperation());
        KernelRecord spatial = SpatialImages.Apply(imageInput, operations);

        Assert.Null(spatial.Shape);
        AssertClose(fused.Nngp.Span, spatial.Nngp.Span, "NNGP");
        AssertClose(fused.Ntk.Span, spatial.Ntk.Span, "NTK");
        AssertClose(fused.RowVariance.Span, spatial.RowVariance.Span, "row K(x, x)");
        AssertClose(fused.ColumnVariance.Span, spatial.ColumnVariance.Span, "column K(x, x)");
        AssertClose(fused.RowNtkDiagonal.Span, spatial.RowNtkDiagonal.Span, "row Θ(x, x)");
        AssertClose(fused.ColumnNtkDiagonal.Span, spatial.ColumnNtkDiagonal.Span, "column Θ(x, x)");
    }

    [Fact]
    public void DenseAfterFlatten_CarriesTheIncomingNtk()
    {
        var shape = new ImageShape(3, 3, 2);
        KernelRecord input = ImageInput.FromImages(SpatialImages.Random(2, shape, 5), 2, shape, null, 2, shape, withNtk: true);
        KernelRecord flat = SpatialImages.Apply(input,
        [
            new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, 2, 0.2)),
            new ActivationOperation(Nngp.ActivationByName("relu")),
            new FlattenOperation(),
        ]);
        KernelRecord dense = new DenseOperation(new DenseVariances(1.5, 0.1)).Apply(flat, SpatialImages.Rule);

        Assert.True(flat.NtkAt(0, 1) != 0);
        double expected = 0.1 + 1.5 * flat.NngpAt(0, 1);
        Assert.Equal(expected, dense.NngpAt(0, 1), 15);
        Assert.Equal(expected + 1.5 * flat.NtkAt(0, 1), dense.NtkAt(0, 1), 15);
    }

    [Fact]
    public void ResidualSum_AddsTheBranches()
    {
        var shape = new ImageShape(4, 4, 2);
        KernelRecord input = ImageInput.FromImages(SpatialImages.Random(3, shape, 7), 3, shape, SpatialImages.Random(2, shape, 8), 2, shape, withNtk: true);
        KernelRecord branch = SpatialImages.Apply(input,
        [
            new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, 1.6, 0.1)),
            new ActivationOperation(Nngp.ActivationByName("relu")),
        ]);

        KernelRecord sum = ResidualSum.Of([branch, input, branch]);

        Assert.Equal(input.Shape, sum.Shape);
        foreach (var part in new Func<KernelRecord, ReadOnlyMemory<double>>[]
                 { r => r.Nngp, r => r.Ntk, r => r.RowVariance, r => r.ColumnVariance, r => r.RowNtkDiagonal, r => r.ColumnNtkDiagonal })
        {
            ReadOnlySpan<double> a = part(branch).Span, b = part(input).Span, s = part(sum).Span;
            for (int e = 0; e < s.Length; e++)
            {
                Assert.Equal(a[e] + b[e] + a[e], s[e]);
            }
        }
    }

    [Fact]
    public void BadShapes_GiveOneLineErrorsNamingTheLayer()
    {
        var small = new ImageShape(2, 2, 1);
        KernelRecord tiny = ImageInput.FromImages(SpatialImages.Random(2, small, 1), 2, small, null, 2, small, withNtk: true);
        var odd = new ImageShape(5, 3, 1);
        KernelRecord fiveByThree = ImageInput.FromImages(SpatialImages.Random(2, odd, 2), 2, odd, null, 2, odd, withNtk: false);

        AssertOneLine(
            () => new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Valid, 1.6, 0.1)).Apply(tiny, SpatialImages.Rule),
            "Conv(3x3, valid, 1.6, 0.1): the 3×3 window is larger than the 2×2 image");
        AssertOneLine(
            () => new AvgPoolOperation(new PoolParameters(3, 3)).Apply(tiny, SpatialImages.Rule),
            "AvgPool(3x3, valid): the 3×3 window is larger than the 2×2 image");
        AssertOneLine(
            () => new AvgPoolOperation(new PoolParameters(2, 2)).Apply(fiveByThree, SpatialImages.Rule),
            "AvgPool(2x2, valid): the windows do not tile the 5×3 image");
        AssertOneLine(
            () => ImageInput.FromImages(new double[2 * 16 * 2], 2, new ImageShape(4, 4, 2), new double[3 * 16 * 3], 3, new ImageShape(4, 4, 3), withNtk: false),
            "input: the column images are 4×4×3 but the row images are 4×4×2");
        KernelRecord flat = new FlattenOperation().Apply(tiny, SpatialImages.Rule);
        AssertOneLine(
            () => new ConvOperation(new ConvParameters(1, 1, SpatialPadding.Same, 1, 0)).Apply(flat, SpatialImages.Rule),
            "Conv(1x1, same, 1, 0) needs an image-shaped kernel");
        AssertOneLine(() => new GlobalAvgPoolOperation().Apply(flat, SpatialImages.Rule), "GlobalAvgPool needs an image-shaped kernel");
        KernelRecord shrunk = new ConvOperation(new ConvParameters(2, 2, SpatialPadding.Valid, 1, 0)).Apply(tiny, SpatialImages.Rule);
        AssertOneLine(() => ResidualSum.Of([tiny, shrunk]), "residual: branch 2 gives 1×1 images but branch 1 gives 2×2 images");

        // Same padding keeps every pixel of an image the windows do not tile: no error.
        Assert.Equal(new SpatialShape(3, 2), new AvgPoolOperation(new PoolParameters(2, 2, SpatialPadding.Same)).Apply(fiveByThree, SpatialImages.Rule).Shape);
    }

    private static void AssertOneLine(Action action, string expectedStart)
    {
        var error = Assert.Throws<NngpInputException>(action);
        Assert.StartsWith(expectedStart, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static ConvOperation Conv1x1(double sw, double sb) => new(new ConvParameters(1, 1, SpatialPadding.Same, sw, sb));

    private static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int e = 0; e < expected.Length; e++)
        {
            Assert.True(
                Math.Abs(actual[e] - expected[e]) <= Tolerance * Math.Max(1, Math.Abs(expected[e])),
                FormattableString.Invariant($"{what}[{e}]: spatial {actual[e]:R}, fused {expected[e]:R}"));
        }
    }
}
