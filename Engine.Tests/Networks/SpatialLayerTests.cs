using Xunit;

namespace GpuNngp.Engine.Tests.Networks;

/// <summary>The convolutional layers' builders, their parameter checks and the Myrtle layer lists.</summary>
public sealed class SpatialLayerTests
{
    [Theory]
    [InlineData(0, 3, 2.0, 0.0, 1, 1, "filter must be at least 1×1")]
    [InlineData(3, 3, -2.0, 0.0, 1, 1, "weight variance")]
    [InlineData(3, 3, double.NaN, 0.0, 1, 1, "weight variance")]
    [InlineData(3, 3, 2.0, double.PositiveInfinity, 1, 1, "bias variance")]
    [InlineData(3, 3, 2.0, 0.0, 0, 1, "stride must be at least 1×1")]
    public void ABadConvolution_IsRefusedWhenMade_NamingIt(int kh, int kw, double w, double b, int sh, int sw, string problem)
    {
        var e = Assert.Throws<NngpInputException>(() => Nngp.Conv(kh, kw, w, b, Padding.Same, sh, sw));
        Assert.StartsWith("Conv(", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadPooling_OrPadding_IsRefusedWhenMade()
    {
        Assert.Contains("window must be at least 1×1", Assert.Throws<NngpInputException>(() => Nngp.AvgPool(2, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("stride must be", Assert.Throws<NngpInputException>(() => Nngp.AvgPool(2, 2, strideHeight: -1)).Message, StringComparison.Ordinal);
        Assert.Contains("unknown padding", Assert.Throws<NngpInputException>(() => Nngp.Conv(3, 3, 2, 0, (Padding)7)).Message, StringComparison.Ordinal);
        Assert.Contains("at least two branches", Assert.Throws<NngpInputException>(() => Nngp.Residual(Nngp.IdentityBranch)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AreNeuralTangentsStax()
    {
        var conv = Nngp.Conv(3, 5, 2, 0.1);
        Assert.Equal((Padding.Same, 1, 1), (conv.Padding, conv.StrideHeight, conv.StrideWidth));
        var pool = Nngp.AvgPool(2, 3);
        Assert.Equal((Padding.Valid, 2, 3), (pool.Padding, pool.StrideHeight, pool.StrideWidth));
        Assert.Equal("Conv(3×5, same, 2, 0.1)", conv.ToString());
        Assert.Equal("AvgPool(3×3, same, stride 1×1)", Nngp.AvgPool(3, 3, Padding.Same, 1, 1).ToString());
    }

    [Theory]
    [InlineData(5, 2, 1, 1)]
    [InlineData(7, 2, 2, 2)]
    [InlineData(10, 3, 3, 3)]
    public void Myrtle_IsConvReluStagesBetweenPoolings_ThenFlattenDense(int depth, int first, int second, int third)
    {
        var network = depth switch { 5 => Nngp.Myrtle5(), 7 => Nngp.Myrtle7(), _ => Nngp.Myrtle10() };
        var conv = Nngp.Conv(3, 3, 2, 0, Padding.Same);
        var block = new ILayer[] { conv, Nngp.Relu() };
        var pool = Nngp.AvgPool(2, 2, Padding.Valid, 2, 2);
        var expected = new List<ILayer>();
        expected.AddRange(Enumerable.Repeat(block, first).SelectMany(b => b));
        expected.Add(pool);
        expected.AddRange(Enumerable.Repeat(block, second).SelectMany(b => b));
        expected.Add(pool);
        expected.AddRange(Enumerable.Repeat(block, third).SelectMany(b => b));
        expected.AddRange([pool, pool, pool, Nngp.Flatten(), Nngp.Dense(2, 0)]);
        Assert.Equal(expected, network.Layers.AsEnumerable());
        Assert.Equal(depth, network.Layers.Count(l => l is ConvLayer or DenseLayer));
        network.ValidateFor(32, 32, 3);
    }

    [Fact]
    public void Myrtle_OnMnistsSize_NamesThePoolingThatDoesNotTile()
    {
        // 28 → 14 → 7: the third pooling (layer 11) meets an odd side.
        var e = Assert.Throws<NngpInputException>(() => Nngp.Myrtle5().ValidateFor(28, 28, 1));
        Assert.Contains("layer 11 (AvgPool(2×2, valid))", e.Message, StringComparison.Ordinal);
        Assert.Contains("7×7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFusedChain_RefusesASpatialLayer_NamingIt_WhileValidateAcceptsIt()
    {
        var network = Nngp.Serial(Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1.6, 0.1));
        network.Validate();
        Assert.True(network.IsConvolutional);
        var e = Assert.Throws<NngpInputException>(() => network.Compile());
        Assert.Equal("layer 1, Conv(3×3, same, 1.6, 0.1), is a convolutional layer: the fused dense chain takes Dense layers and activations only (a convolutional network is planned layer by layer: LayerPlan)", e.Message);
        var later = Nngp.Serial(Nngp.Dense(1, 0), Nngp.Residual(Nngp.Serial(Nngp.Relu()), Nngp.IdentityBranch), Nngp.Dense(1, 0));
        Assert.StartsWith("layer 2, Residual(Relu | Identity), is a residual block:", Assert.Throws<NngpInputException>(() => later.Compile()).Message, StringComparison.Ordinal);
        Assert.Equal("Conv(3×3, same, 1.6, 0.1) → Relu → Flatten → Dense(1.6, 0.1)", network.ToString());
    }
}
