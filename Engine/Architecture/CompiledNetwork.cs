using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// A validated network reduced to what the kernel recursion reads: the input dense layer and the
/// hidden layers (activation, then dense), plus the user's delegates for custom activations.
/// </summary>
internal sealed class CompiledNetwork
{
    private CompiledNetwork(
        DenseVariances input,
        HiddenLayer[] layers,
        Func<double, double>?[] customValue,
        Func<double, double>?[] customDerivative,
        string description)
    {
        Input = input;
        Layers = layers;
        CustomValue = customValue;
        CustomDerivative = customDerivative;
        Description = description;
    }

    public DenseVariances Input { get; }

    public IReadOnlyList<HiddenLayer> Layers { get; }

    /// <summary>L, the number of hidden layers.</summary>
    public int Depth => Layers.Count;

    /// <summary>e.g. "Dense(1.45, 0.28) → [Relu → Dense(1.45, 0.28)] × 20".</summary>
    public string Description { get; }

    /// <summary>True when an activation is a user delegate, which only the CPU can evaluate.</summary>
    public bool HasCustomActivation => CustomValue.Any(f => f is not null);

    /// <summary>True when some activation is integrated by quadrature.</summary>
    public bool UsesQuadrature => Layers.Any(l => !l.Activation.HasClosedForm);

    internal Func<double, double>?[] CustomValue { get; }

    internal Func<double, double>?[] CustomDerivative { get; }

    internal HiddenLayer[] LayerArray => (HiddenLayer[])Layers;

    /// <summary>The CPU's view, with the given quadrature rule.</summary>
    internal HostNetworkView HostView(QuadratureRule rule) =>
        new(Input, LayerArray, rule, CustomValue, CustomDerivative);

    internal static CompiledNetwork From(Network network)
    {
        var layers = network.Layers;
        if (layers.Length == 0)
        {
            throw new NngpInputException("the network has no layers: it needs at least one Dense layer");
        }

        int spatial = Enumerable.Range(0, layers.Length).FirstOrDefault(i => Network.IsSpatial(layers[i]), -1);
        if (spatial >= 0)
        {
            throw new NngpInputException($"layer {spatial + 1}, {layers[spatial]}, is {Kind(layers[spatial])}: the fused dense chain takes Dense layers and activations only (a convolutional network is planned layer by layer: LayerPlan)");
        }

        if (layers[0] is not DenseLayer first)
        {
            throw new NngpInputException($"the network must start with a Dense layer, not {layers[0]}");
        }

        if (layers[^1] is not DenseLayer)
        {
            throw new NngpInputException($"the network must end with a Dense readout layer, not {layers[^1]}; append Nngp.Dense(σw², σb²)");
        }

        Validate(first, 0);
        var hidden = new List<HiddenLayer>();
        var values = new List<Func<double, double>?>();
        var derivatives = new List<Func<double, double>?>();
        for (int i = 1; i < layers.Length; i += 2)
        {
            if (layers[i] is not ActivationLayer activation)
            {
                throw new NngpInputException($"layer {i + 1} is {layers[i]}: dense layers and activations must alternate");
            }

            if (i + 1 >= layers.Length || layers[i + 1] is not DenseLayer dense)
            {
                throw new NngpInputException($"layer {i + 2} must be a Dense layer after the activation {activation.Name}");
            }

            Validate(dense, i + 1);
            if (activation.Activation.Kind == ActivationKind.Custom && activation.CustomValue is null)
            {
                throw new NngpInputException($"the custom activation {activation.Name} has no function");
            }

            hidden.Add(new HiddenLayer(activation.Activation, new DenseVariances(dense.WeightVariance, dense.BiasVariance)));
            values.Add(activation.CustomValue);
            derivatives.Add(activation.CustomDerivative);
        }

        return new CompiledNetwork(
            new DenseVariances(first.WeightVariance, first.BiasVariance),
            hidden.ToArray(),
            values.ToArray(),
            derivatives.ToArray(),
            Describe(layers));
    }

    private static string Kind(ILayer layer) => layer switch
    {
        ConvLayer => "a convolutional layer",
        AvgPoolLayer => "a pooling layer",
        GlobalAvgPoolLayer => "a global average pooling readout",
        FlattenLayer => "a flatten readout",
        ResidualLayer => "a residual block",
        _ => $"a {layer.GetType().Name}",
    };

    private static void Validate(DenseLayer dense, int index)
    {
        if (!double.IsFinite(dense.WeightVariance) || dense.WeightVariance < 0)
        {
            throw new NngpInputException(FormattableString.Invariant($"weight variance must be finite and ≥ 0, got {dense.WeightVariance} (layer {index + 1})"));
        }

        if (!double.IsFinite(dense.BiasVariance) || dense.BiasVariance < 0)
        {
            throw new NngpInputException(FormattableString.Invariant($"bias variance must be finite and ≥ 0, got {dense.BiasVariance} (layer {index + 1})"));
        }
    }

    /// <summary>Collapses repeated (activation, dense) pairs so a depth-20 network reads in one line.</summary>
    private static string Describe(IReadOnlyList<ILayer> layers)
    {
        var parts = new List<string> { layers[0].ToString()! };
        int i = 1;
        while (i + 1 < layers.Count)
        {
            string pair = $"{layers[i]} → {layers[i + 1]}";
            int repeats = 1;
            while (i + 2 * repeats + 1 < layers.Count
                && $"{layers[i + 2 * repeats]} → {layers[i + 2 * repeats + 1]}" == pair)
            {
                repeats++;
            }

            parts.Add(repeats == 1 ? pair : $"[{pair}] × {repeats}");
            i += 2 * repeats;
        }

        return string.Join(" → ", parts);
    }
}
