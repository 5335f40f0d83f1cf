namespace GpuNngp.Kernels;

/// <summary>
/// The CPU's view of a network: managed arrays, and the user's delegates for custom activations.
/// </summary>
internal readonly struct HostNetworkView : INetworkView
{
    private readonly HiddenLayer[] _layers;
    private readonly Func<double, double>?[] _customValue;
    private readonly Func<double, double>?[] _customDerivative;
    private readonly double[] _nodes;
    private readonly double[] _weights;

    public HostNetworkView(
        DenseVariances input,
        HiddenLayer[] layers,
        QuadratureRule rule,
        Func<double, double>?[]? customValue = null,
        Func<double, double>?[]? customDerivative = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(rule);
        Input = input;
        _layers = layers;
        Quadrature = rule.Method;
        _nodes = rule.Nodes;
        _weights = rule.Weights;
        _customValue = customValue ?? new Func<double, double>?[layers.Length];
        _customDerivative = customDerivative ?? new Func<double, double>?[layers.Length];
    }

    public DenseVariances Input { get; }

    public int Depth => _layers.Length;

    /// <summary>The hidden layers.</summary>
    public IReadOnlyList<HiddenLayer> Layers => _layers;

    public QuadratureMethod Quadrature { get; }

    public int QuadratureOrder => _nodes.Length;

    public HiddenLayer Layer(int layer) => _layers[layer];

    public double Phi(int layer, double x) =>
        _customValue[layer] is { } custom ? custom(x) : PointwiseActivation.Value(_layers[layer].Activation, x);

    public double PhiDerivative(int layer, double x)
    {
        if (_layers[layer].Activation.Kind != ActivationKind.Custom)
        {
            return PointwiseActivation.Derivative(_layers[layer].Activation, x);
        }

        return _customDerivative[layer] is { } derivative ? derivative(x) : double.NaN;
    }

    public double QuadratureNode(int i) => _nodes[i];

    public double QuadratureWeight(int i) => _weights[i];
}
