using GpuNngp.Kernels;
using GpuNngp.Kernels.Device;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// A network in device memory: its hidden layers and, when some activation needs quadrature, the
/// quadrature rule's node and weight constants. Gives the kernels the view that fits: closed forms only, or the general one.
/// </summary>
internal sealed class DeviceNetwork : IDisposable
{
    private readonly MemoryBuffer1D<HiddenLayer, Stride1D.Dense> _layers;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _nodes;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _weights;

    public DeviceNetwork(Accelerator accelerator, AcceleratorStream stream, HostNetworkView network)
    {
        Depth = network.Depth;
        Input = network.Input;
        UsesQuadrature = network.Layers.Any(l => !l.Activation.HasClosedForm);
        QuadratureOrder = 0;
        Quadrature = QuadratureMethod.None;
        HiddenLayer[] layers = network.Depth == 0 ? [default] : [.. network.Layers];
        _layers = accelerator.Allocate1D<HiddenLayer>(layers.Length);
        GpuHost.CopyIn(stream, _layers.View, layers);
        if (UsesQuadrature)
        {
            QuadratureOrder = network.QuadratureOrder;
            Quadrature = network.Quadrature;
            var nodes = new double[QuadratureOrder];
            var weights = new double[QuadratureOrder];
            for (int i = 0; i < QuadratureOrder; i++)
            {
                nodes[i] = network.QuadratureNode(i);
                weights[i] = network.QuadratureWeight(i);
            }

            _nodes = accelerator.Allocate1D<double>(QuadratureOrder);
            _weights = accelerator.Allocate1D<double>(QuadratureOrder);
            GpuHost.CopyIn(stream, _nodes.View, nodes);
            GpuHost.CopyIn(stream, _weights.View, weights);
        }
    }

    public int Depth { get; }

    public DenseVariances Input { get; }

    /// <summary>True when some activation has no closed form: the kernels then take <see cref="General"/>.</summary>
    public bool UsesQuadrature { get; }

    /// <summary>Nodes of the rule: Gauss–Hermite nodes per dimension, or Gauss–Legendre points per panel.</summary>
    public int QuadratureOrder { get; }

    public QuadratureMethod Quadrature { get; }

    public ClosedFormNetworkView ClosedForm => new(Input, _layers.View, Depth);

    public DeviceNetworkView General => UsesQuadrature
        ? new(Input, _layers.View, Depth, _nodes!.View, _weights!.View, QuadratureOrder, Quadrature)
        : throw new InvalidOperationException("this network has closed forms only");

    public void Dispose()
    {
        _weights?.Dispose();
        _nodes?.Dispose();
        _layers.Dispose();
    }
}
