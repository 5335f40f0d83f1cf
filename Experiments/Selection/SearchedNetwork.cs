using System.Collections.Immutable;

namespace GpuNngp.Experiments.Selection;

/// <summary>
/// A whole network (<c>nngp search --net</c>) as a search varies it: every layer with weights (Conv
/// and Dense, inside residual branches too) takes the grid point's σw² and σb² together, as the
/// paper's fully connected GP-depth-σw²-σb² gives every dense layer the same pair. The variances
/// written in the template are replaced; everything else (filters, padding, pooling, activations,
/// the image shape) is kept.
/// </summary>
public sealed class SearchedNetwork
{
    public SearchedNetwork(Network template)
    {
        Template = template ?? throw new ArgumentNullException(nameof(template));
        template.Validate();
        Depth = WeightedLayers(template.Layers) - 1;
    }

    public Network Template { get; }

    /// <summary>
    /// The hidden layers with weights, the readout not counted: the depth L of the paper's
    /// GP-L-σw²-σb² when the template is fully connected, and the one depth of the search's grid.
    /// A residual block counts its deepest branch.
    /// </summary>
    public int Depth { get; }

    /// <summary>Refuses a grid whose depths are not this network's one depth.</summary>
    public void CheckDepths(IReadOnlyList<int> depths)
    {
        ArgumentNullException.ThrowIfNull(depths);
        if (depths.Any(d => d != Depth))
        {
            throw new NngpInputException($"the network fixes the depth at {Depth}: a search over its σw², σb² cannot have depths [{string.Join(", ", depths)}]");
        }
    }

    /// <summary>The template with σw², σb² in every Conv and Dense layer.</summary>
    public Network At(double weightVariance, double biasVariance) =>
        new(Replaced(Template.Layers, weightVariance, biasVariance), Template.InputShape);

    private static ImmutableArray<ILayer> Replaced(ImmutableArray<ILayer> layers, double weightVariance, double biasVariance) =>
        [.. layers.Select(layer => layer switch
        {
            DenseLayer => new DenseLayer(weightVariance, biasVariance),
            ConvLayer c => new ConvLayer(c.FilterHeight, c.FilterWidth, weightVariance, biasVariance, c.Padding, c.StrideHeight, c.StrideWidth),
            ResidualLayer r => new ResidualLayer([.. r.Branches.Select(b => new Network(Replaced(b.Layers, weightVariance, biasVariance)))]),
            _ => layer,
        })];

    private static int WeightedLayers(ImmutableArray<ILayer> layers) => layers.Sum(layer => layer switch
    {
        DenseLayer or ConvLayer => 1,
        ResidualLayer r => r.Branches.Max(b => WeightedLayers(b.Layers)),
        _ => 0,
    });
}
