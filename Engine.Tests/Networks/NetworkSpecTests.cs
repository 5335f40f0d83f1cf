using GpuNngp.Engine.Architecture;
using Xunit;

namespace GpuNngp.Engine.Tests.Networks;

/// <summary>The --net grammar (NetworkSpec) against the builders it stands for.</summary>
public sealed class NetworkSpecTests
{
    private static void AssertLayers(Network expected, Network actual) =>
        Assert.Equal(expected.Layers.AsEnumerable(), actual.Layers.AsEnumerable());

    [Theory]
    [InlineData("(conv:3x3:same:1.6:0.1,relu)*2,flatten,dense:1.6:0.1", false)]
    [InlineData("(conv:3x3:same:1.6:0.1,relu)*2,gap,dense:1.6:0.1", true)]
    public void TheIssuesSpecs_ParseVerbatim(string spec, bool pooled)
    {
        var conv = Nngp.Conv(3, 3, 1.6, 0.1, Padding.Same);
        ILayer readout = pooled ? Nngp.GlobalAvgPool() : Nngp.Flatten();
        AssertLayers(Nngp.Serial(conv, Nngp.Relu(), conv, Nngp.Relu(), readout, Nngp.Dense(1.6, 0.1)), NetworkSpec.Parse(spec));
    }

    [Theory]
    [InlineData(3, "relu")]
    [InlineData(0, "erf")]
    [InlineData(5, "gelu")]
    public void ADenseSpec_IsTheFullyConnectedBuilder(int depth, string activation)
    {
        string spec = $"dense:1.45:0.28,({activation},dense:1.45:0.28)*{depth}";
        var parsed = NetworkSpec.Parse(spec);
        var built = Nngp.FullyConnected(depth, Nngp.ActivationByName(activation), 1.45, 0.28);
        AssertLayers(built, parsed);
        Assert.Equal(built.ToString(), parsed.ToString());
    }

    [Fact]
    public void NestedRepetition_Multiplies()
    {
        var parsed = NetworkSpec.Parse("((conv:3x3:same:2:0,relu)*2,avgpool:2x2)*3,flatten,dense:2:0");
        Assert.Equal(3 * 5 + 2, parsed.Layers.Length);
        Assert.Equal(6, parsed.Layers.Count(l => l is ConvLayer));
        Assert.Equal(3, parsed.Layers.Count(l => l is AvgPoolLayer));
        Assert.IsType<AvgPoolLayer>(parsed.Layers[4]);
        Assert.IsType<ConvLayer>(parsed.Layers[5]);
    }

    [Fact]
    public void StridesPaddingsAndWhitespace_AreRead()
    {
        var parsed = NetworkSpec.Parse(" conv:5x3:valid:2:0.5:stride=2x1 , avgpool:3x3:same:stride=1 , avgpool:2x2:circular, avgpool:4x4:stride=2, conv:1x1:circular:1:0 ");
        AssertLayers(
            Nngp.Serial(
                Nngp.Conv(5, 3, 2, 0.5, Padding.Valid, 2, 1),
                Nngp.AvgPool(3, 3, Padding.Same, 1, 1),
                Nngp.AvgPool(2, 2, Padding.Circular),
                Nngp.AvgPool(4, 4, Padding.Valid, 2, 2),
                Nngp.Conv(1, 1, 1, 0, Padding.Circular)),
            parsed);
        Assert.Equal(2, ((AvgPoolLayer)parsed.Layers[2]).StrideHeight);
    }

    [Fact]
    public void EveryActivationName_IsALayer()
    {
        foreach (string name in Nngp.ActivationNames)
        {
            var parsed = NetworkSpec.Parse($"dense:1:0,{name},dense:1:0");
            Assert.Equal(Nngp.ActivationByName(name), parsed.Layers[1]);
        }

        Assert.Equal(Nngp.LeakyRelu(0.2), NetworkSpec.Parse("leaky-relu:0.2").Layers[0]);
    }

    [Fact]
    public void AResidualBlock_HoldsItsBranches_WithIdentity()
    {
        var parsed = NetworkSpec.Parse("conv:3x3:same:2:0,res[(relu,conv:3x3:same:2:0)*2|id],gap,dense:2:0");
        var block = Assert.IsType<ResidualLayer>(parsed.Layers[1]);
        Assert.Equal(2, block.Branches.Length);
        AssertLayers(Nngp.Serial(Nngp.Relu(), Nngp.Conv(3, 3, 2, 0), Nngp.Relu(), Nngp.Conv(3, 3, 2, 0)), block.Branches[0]);
        Assert.Empty(block.Branches[1].Layers);
        var built = Nngp.Residual(Nngp.Serial(Nngp.Relu(), Nngp.Conv(3, 3, 2, 0)).Repeat(2), Nngp.IdentityBranch);
        Assert.Equal(built, block);
        Assert.NotEqual(Nngp.Residual(Nngp.Serial(Nngp.Relu()), Nngp.IdentityBranch), block);
    }

    [Fact]
    public void ResidualBlocks_Nest_AndRepeat()
    {
        var parsed = NetworkSpec.Parse("(res[relu|res[id|erf]|id])*2");
        Assert.Equal(2, parsed.Layers.Length);
        var outer = Assert.IsType<ResidualLayer>(parsed.Layers[0]);
        Assert.Equal(3, outer.Branches.Length);
        var inner = Assert.IsType<ResidualLayer>(Assert.Single(outer.Branches[1].Layers));
        Assert.Equal(Nngp.Erf(), Assert.Single(inner.Branches[1].Layers));
    }

    [Theory]
    [InlineData("conv:3x3:sam:1.6:0.1", 10, "'sam'", "unknown padding")]
    [InlineData("relu,conv:3x3:same:1,6:0.1", 6, "'conv:3x3:same:1'", "conv:FILTER:PADDING:σw²:σb²")]
    [InlineData("conv:3x3:same:1e-1:abc", 20, "'abc'", "σb² must be a number")]
    [InlineData("dense:1,000:0", 1, "'dense:1'", "dense:σw²:σb²")]
    [InlineData("dense:1.45:0.28,(relu,dense:1.45:0.28)*", 40, "'end'", "whole number")]
    [InlineData("dense:1.45:0.28,(relu,dense:1.45:0.28)*x", 40, "'x'", "whole number")]
    [InlineData("dense:1.45:0.28,(relu,dense:1.45:0.28*3", 38, "'*'", "expected ')'")]
    [InlineData("dense:1.45:0.28,(relu,dense:1.45:0.28)", 39, "'end'", "expected '*'")]
    [InlineData("dense:1,45:0.28", 1, "'dense:1'", "dense:σw²:σb²")]
    [InlineData("dense:1.45", 1, "'dense:1.45'", "dense:σw²:σb²")]
    [InlineData("dense:-1:0", 1, "'dense:-1:0'", "weight variance")]
    [InlineData("conv:3x3:same:2:-0.1", 1, "'conv:3x3:same:2:-0.1'", "bias variance")]
    [InlineData("conv:3by3:same:2:0", 6, "'3by3'", "HEIGHTxWIDTH")]
    [InlineData("conv:0x3:same:2:0", 1, "'conv:0x3:same:2:0'", "at least 1×1")]
    [InlineData("conv:3x3:same:2:0:step=2", 19, "'step=2'", "stride=")]
    [InlineData("avgpool:2x2:stride=2:same", 22, "'same'", "unexpected field after the stride")]
    [InlineData("avgpool:2x2:valid:same", 19, "'same'", "expected stride=")]
    [InlineData("avgpool:2x2:valid:stride=2:same", 1, "'avgpool:2x2:valid:stride=2:same'", "avgpool:WINDOW")]
    [InlineData("gap:2", 1, "'gap:2'", "no ':' fields")]
    [InlineData("relu,,dense:1:0", 6, "','", "expected a layer")]
    [InlineData("relu)", 5, "')'", "without its opening bracket")]
    [InlineData("swishy", 1, "'swishy'", "unknown activation")]
    [InlineData("res[relu]", 4, "'['", "at least two branches")]
    [InlineData("res[relu|id", 12, "'end'", "expected '|' between branches")]
    [InlineData("relu,id", 6, "'id'", "identity branch")]
    [InlineData("", 1, "", "empty")]
    public void AMalformedSpec_NamesTheTokenAndItsPosition(string spec, int position, string token, string problem)
    {
        var e = Assert.Throws<NngpInputException>(() => NetworkSpec.Parse(spec));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        if (token.Length > 0)
        {
            Assert.Contains($"position {position} ({token})", e.Message, StringComparison.Ordinal);
        }
    }
}
