using GpuNngp.Engine.Architecture;
using GpuNngp.Kernels;
using Xunit;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>
/// The planner's rules for the convolutional layer families: a network written with the public
/// builders (or the --net grammar) plans into the very operations the reference implementation
/// tests against direct loops, so builders → plan → kernel gives those kernels bit for bit.
/// </summary>
public sealed class SpatialPlanTests
{
    private static readonly ImageShape Shape = new(4, 4, 2);

    private static KernelRecord Input(bool symmetric)
    {
        double[] rows = SpatialImages.Random(3, Shape, 21);
        double[]? columns = symmetric ? null : SpatialImages.Random(2, Shape, 22);
        return ImageInput.FromImages(rows, 3, Shape, columns, symmetric ? 3 : 2, Shape, withNtk: true);
    }

    private static void AssertSame(KernelRecord expected, KernelRecord actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.Nngp.ToArray(), actual.Nngp.ToArray());
        Assert.Equal(expected.Ntk.ToArray(), actual.Ntk.ToArray());
        Assert.Equal(expected.RowVariance.ToArray(), actual.RowVariance.ToArray());
    }

    [Theory]
    [InlineData(true, "flatten")]
    [InlineData(false, "flatten")]
    [InlineData(true, "gap")]
    [InlineData(false, "gap")]
    public void BuiltNetwork_PlansIntoTheReferenceOperations(bool symmetric, string readout)
    {
        var network = Nngp.Serial(
            Nngp.Conv(3, 3, 1.6, 0.1, Padding.Same), Nngp.Relu(),
            Nngp.Conv(2, 2, 1.6, 0.1, Padding.Valid, 2, 2), Nngp.Erf(),
            Nngp.AvgPool(1, 1),
            readout == "gap" ? Nngp.GlobalAvgPool() : Nngp.Flatten(),
            Nngp.Dense(1.6, 0.1));
        network.ValidateFor(Shape.Height, Shape.Width, Shape.Channels);
        var plan = LayerPlan.Compile(network);
        Assert.Null(plan.FusedChain);
        Assert.Equal(7, plan.Operations.Length);

        ILayerOperation[] expected =
        [
            new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, 1.6, 0.1)),
            new ActivationOperation(Nngp.Relu()),
            new ConvOperation(new ConvParameters(2, 2, SpatialPadding.Valid, 1.6, 0.1, 2, 2)),
            new ActivationOperation(Nngp.Erf()),
            new AvgPoolOperation(new PoolParameters(1, 1)),
            readout == "gap" ? new GlobalAvgPoolOperation() : new FlattenOperation(),
            new DenseOperation(new DenseVariances(1.6, 0.1)),
        ];
        var input = Input(symmetric);
        AssertSame(SpatialImages.Apply(input, expected), plan.Apply(input, SpatialImages.Rule));
    }

    [Fact]
    public void TheVerbatimSpec_PlansLikeItsBuilders()
    {
        var parsed = LayerPlan.Compile(NetworkSpec.Parse("(conv:3x3:same:1.6:0.1,relu)*2,gap,dense:1.6:0.1"));
        var built = LayerPlan.Compile(Nngp.Serial(
            Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(), Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1.6, 0.1)));
        var input = Input(symmetric: true);
        AssertSame(built.Apply(input, SpatialImages.Rule), parsed.Apply(input, SpatialImages.Rule));
    }

    [Fact]
    public void AResidualBlock_SumsItsBranch_AndTheIdentity()
    {
        var branch = Nngp.Serial(Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu());
        var plan = LayerPlan.Compile(Nngp.Serial(Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Residual(branch, Nngp.IdentityBranch), Nngp.Flatten(), Nngp.Dense(1.6, 0.1)));
        var input = Input(symmetric: true);
        var first = new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, 1.6, 0.1)).Apply(input, SpatialImages.Rule);
        var summed = ResidualSum.Of([SpatialImages.Apply(first, [new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, 1.6, 0.1)), new ActivationOperation(Nngp.Relu())]), first]);
        var expected = SpatialImages.Apply(summed, [new FlattenOperation(), new DenseOperation(new DenseVariances(1.6, 0.1))]);
        AssertSame(expected, plan.Apply(input, SpatialImages.Rule));
    }

    [Fact]
    public void DenseNetworks_StillPlanIntoTheFusedChain()
    {
        var plan = LayerPlan.Compile(Nngp.FullyConnected(3, Nngp.Relu(), 1.6, 0.1));
        Assert.NotNull(plan.FusedChain);
    }
}
