using Xunit;

namespace GpuNngp.Engine.Tests.Networks;

/// <summary>Network.ValidateFor: image shapes that do not fit the network, each named by its layer.</summary>
public sealed class NetworkShapeTests
{
    private static readonly ConvLayer Same3 = Nngp.Conv(3, 3, 2, 0);

    private static string Refusal(Network network, int height, int width, int channels = 1)
    {
        var e = Assert.Throws<NngpInputException>(() => network.ValidateFor(height, width, channels));
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Theory]
    [InlineData(28, 28, 1)]
    [InlineData(32, 32, 3)]
    [InlineData(5, 9, 2)]
    public void TheIssuesNetworks_FitAnyImage(int height, int width, int channels)
    {
        Nngp.Serial(Same3, Nngp.Relu(), Same3, Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1.6, 0.1)).ValidateFor(height, width, channels);
        Nngp.Serial(Same3, Nngp.Relu(), Same3, Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1.6, 0.1)).ValidateFor(height, width, channels);
    }

    [Fact]
    public void AValidConvolutionLargerThanTheImage_IsNamed()
    {
        var network = Nngp.Serial(Nngp.Conv(5, 5, 2, 0, Padding.Valid), Nngp.Relu(), Nngp.Conv(5, 5, 2, 0, Padding.Valid), Nngp.Flatten(), Nngp.Dense(1, 0));
        network.ValidateFor(9, 9, 1); // 9 → 5 → 1
        string message = Refusal(network, 8, 9);
        Assert.StartsWith("layer 3 (Conv(5×5, valid, 2, 0)): the valid window's height 5 is larger than the 4×5 image", message, StringComparison.Ordinal);
    }

    [Fact]
    public void StridesShrinkTheImage_AsNeuralTangentsDoes()
    {
        // same: ⌈7/2⌉ = 4; valid: ⌊(4 − 3)/1⌋ + 1 = 2; then a 3×3 valid window no longer fits.
        var network = Nngp.Serial(Nngp.Conv(3, 3, 2, 0, Padding.Same, 2, 2), Nngp.Conv(3, 3, 2, 0, Padding.Valid), Nngp.Conv(3, 3, 2, 0, Padding.Valid), Nngp.Flatten(), Nngp.Dense(1, 0));
        Assert.Contains("the 2×2 image", Refusal(network, 7, 7), StringComparison.Ordinal);
        network.ValidateFor(9, 9, 1); // 5 → 3 → 1
    }

    [Fact]
    public void AValidPoolingThatDoesNotTile_IsNamed_AndSamePaddingTakesAnySize()
    {
        var pooled = Nngp.Serial(Same3, Nngp.AvgPool(2, 2), Nngp.GlobalAvgPool(), Nngp.Dense(1, 0));
        pooled.ValidateFor(28, 28, 1);
        string message = Refusal(pooled, 28, 27);
        Assert.StartsWith("layer 2 (AvgPool(2×2, valid)): the window does not tile the 28×27 image", message, StringComparison.Ordinal);
        Assert.Contains("width 27 − 2 is not a multiple of the stride 2", message, StringComparison.Ordinal);
        Nngp.Serial(Same3, Nngp.AvgPool(2, 2, Padding.Same), Nngp.GlobalAvgPool(), Nngp.Dense(1, 0)).ValidateFor(28, 27, 1);

        // An overlapping window tiles when its stride steps evenly to the last row: (7 − 3) / 2.
        Nngp.Serial(Nngp.AvgPool(3, 3, Padding.Valid, 2, 2), Nngp.Flatten(), Nngp.Dense(1, 0)).ValidateFor(7, 7, 1);
        Assert.Contains("not a multiple of the stride 2", Refusal(Nngp.Serial(Nngp.AvgPool(3, 3, Padding.Valid, 2, 2), Nngp.Flatten(), Nngp.Dense(1, 0)), 8, 7), StringComparison.Ordinal);
    }

    [Fact]
    public void ASpatialLayerAfterTheReadout_IsNamed_WithTheReadout()
    {
        string message = Refusal(Nngp.Serial(Same3, Nngp.Flatten(), Nngp.Relu(), Same3, Nngp.Dense(1, 0)), 8, 8);
        Assert.Equal("layer 4 (Conv(3×3, same, 2, 0)) needs an image, but layer 2 (Flatten) has already made it a flat vector", message);
        Assert.StartsWith("layer 3 (AvgPool(2×2, valid)) needs an image, but layer 2 (GlobalAvgPool)",
            Refusal(Nngp.Serial(Same3, Nngp.GlobalAvgPool(), Nngp.AvgPool(2, 2), Nngp.Dense(1, 0)), 8, 8), StringComparison.Ordinal);
        Assert.StartsWith("layer 3 (Flatten) needs an image", Refusal(Nngp.Serial(Nngp.Flatten(), Nngp.Dense(1, 0), Nngp.Flatten(), Nngp.Dense(1, 0)), 8, 8), StringComparison.Ordinal);
    }

    [Fact]
    public void ANetworkWithoutAFlatReadout_IsNamed()
    {
        Assert.Equal("the network must end with a flat readout, but layer 2 (Relu) leaves a 8×8 image: end it with Flatten or GlobalAvgPool, then Dense",
            Refusal(Nngp.Serial(Same3, Nngp.Relu()), 8, 8));
        Assert.Equal("the network must end with a Dense readout, not layer 2 (Flatten): append Nngp.Dense(σw², σb²)",
            Refusal(Nngp.Serial(Same3, Nngp.Flatten()), 8, 8));
        Assert.StartsWith("layer 1 (Dense(1, 0)) needs a flat input but gets a 8×8 image: put Flatten or GlobalAvgPool before it",
            Refusal(Nngp.FullyConnected(1, Nngp.Relu(), 1, 0), 8, 8), StringComparison.Ordinal);
        Assert.Contains("no layers", Refusal(Nngp.Serial(), 8, 8), StringComparison.Ordinal);
        Assert.Contains("positive sides and channels", Refusal(Nngp.Myrtle5(), 32, 32, 0), StringComparison.Ordinal);
    }

    [Fact]
    public void AResidualBlock_NeedsBranchesOfOneShape()
    {
        var fits = Nngp.Serial(Same3, Nngp.Residual(Nngp.Serial(Nngp.Relu(), Same3), Nngp.IdentityBranch), Nngp.GlobalAvgPool(), Nngp.Dense(1, 0));
        fits.ValidateFor(8, 8, 3);

        var shrinks = Nngp.Serial(Same3, Nngp.Residual(Nngp.IdentityBranch, Nngp.Serial(Nngp.Relu(), Nngp.Conv(3, 3, 2, 0, Padding.Valid))), Nngp.Flatten(), Nngp.Dense(1, 0));
        Assert.Equal("layer 2 (Residual(Identity | Relu → Conv(3×3, valid, 2, 0))): branch 2 gives a 6×6 image but branch 1 gives a 8×8 image; the branches of a residual block must end in the same shape",
            Refusal(shrinks, 8, 8));

        var flattens = Nngp.Serial(Nngp.Residual(Nngp.Serial(Nngp.Flatten()), Nngp.Serial(Same3)), Nngp.Dense(1, 0));
        Assert.Contains("branch 2 gives a 8×8 image but branch 1 gives a flat vector", Refusal(flattens, 8, 8), StringComparison.Ordinal);

        var inner = Nngp.Serial(Nngp.Residual(Nngp.Serial(Same3, Nngp.Conv(9, 9, 2, 0, Padding.Valid)), Nngp.IdentityBranch), Nngp.Flatten(), Nngp.Dense(1, 0));
        Assert.StartsWith("layer 1 (Residual(", Refusal(inner, 8, 8), StringComparison.Ordinal);
        Assert.Contains("), branch 1, layer 2 (Conv(9×9, valid, 2, 0)): the valid window's height 9 is larger", Refusal(inner, 8, 8), StringComparison.Ordinal);

        // Both branches flat: the block is a readout, and a spatial layer after it names the block.
        var readout = Nngp.Serial(Nngp.Residual(Nngp.Serial(Nngp.Flatten()), Nngp.Serial(Nngp.GlobalAvgPool())), Same3, Nngp.Dense(1, 0));
        Assert.Contains("but layer 1 (Residual(Flatten | GlobalAvgPool)) has already made it a flat vector", Refusal(readout, 4, 4), StringComparison.Ordinal);
    }
}
