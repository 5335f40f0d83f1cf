using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// The GPU's view of a network for any activation: the hidden layers and the quadrature rule's constants in
/// device memory, φ and φ' from <see cref="PointwiseActivation"/> (custom delegates cannot run on
/// the device; the engine keeps them on the CPU). A kernel parameter: copied by value at launch.
/// </summary>
internal readonly struct DeviceNetworkView : INetworkView
{
    private readonly ArrayView<HiddenLayer> _layers;
    private readonly ArrayView<double> _nodes;
    private readonly ArrayView<double> _weights;
    private readonly int _depth;
    private readonly int _order;
    private readonly QuadratureMethod _method;

    /// <param name="input">The input dense layer.</param>
    /// <param name="layers">At least <paramref name="depth"/> hidden layers.</param>
    /// <param name="depth">L (the buffer may be longer: a zero-length buffer cannot be allocated).</param>
    /// <param name="nodes">The rule's nodes, at least <paramref name="order"/>.</param>
    /// <param name="weights">The rule's weights, at least <paramref name="order"/>.</param>
    /// <param name="order">Nodes per dimension (Gauss–Hermite) or points per panel (Gauss–Legendre).</param>
    /// <param name="method">Which rule the nodes belong to.</param>
    public DeviceNetworkView(
        DenseVariances input, ArrayView<HiddenLayer> layers, int depth, ArrayView<double> nodes, ArrayView<double> weights, int order, QuadratureMethod method)
    {
        _method = method;
        Input = input;
        _layers = layers;
        _depth = depth;
        _nodes = nodes;
        _weights = weights;
        _order = order;
    }

    public DenseVariances Input { get; }

    public int Depth => _depth;

    public QuadratureMethod Quadrature => _method;

    public int QuadratureOrder => _order;

    public HiddenLayer Layer(int layer) => _layers[layer];

    public double Phi(int layer, double x) => PointwiseActivation.Value(_layers[layer].Activation, x);

    public double PhiDerivative(int layer, double x) => PointwiseActivation.Derivative(_layers[layer].Activation, x);

    public double QuadratureNode(int i) => _nodes[i];

    public double QuadratureWeight(int i) => _weights[i];
}

/// <summary>
/// The GPU's view of a network whose activations all have closed forms. Its quadrature order is the
/// constant 0, so after inlining the compiler drops the quadrature loops: the kernel built on it is
/// smaller and needs fewer registers than one built on <see cref="DeviceNetworkView"/>.
/// </summary>
internal readonly struct ClosedFormNetworkView : INetworkView
{
    private readonly ArrayView<HiddenLayer> _layers;
    private readonly int _depth;

    public ClosedFormNetworkView(DenseVariances input, ArrayView<HiddenLayer> layers, int depth)
    {
        Input = input;
        _layers = layers;
        _depth = depth;
    }

    public DenseVariances Input { get; }

    public int Depth => _depth;

    public QuadratureMethod Quadrature => QuadratureMethod.None;

    public int QuadratureOrder => 0;

    public HiddenLayer Layer(int layer) => _layers[layer];

    public double Phi(int layer, double x) => double.NaN;

    public double PhiDerivative(int layer, double x) => double.NaN;

    public double QuadratureNode(int i) => 0;

    public double QuadratureWeight(int i) => 0;
}
