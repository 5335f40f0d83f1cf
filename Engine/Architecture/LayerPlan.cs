using System.Collections.Immutable;
using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// A network compiled into the sequence of operations its kernel record flows through. The planner
/// validates the network (the messages of <see cref="Network.Compile"/>), translates each layer by
/// its family's rule (<see cref="Translate"/>) and, by default, fuses a Dense/φ chain into the single
/// <see cref="FusedDenseChain"/> the providers run as one all-layers map.
/// </summary>
internal sealed class LayerPlan
{
    private LayerPlan(ImmutableArray<ILayerOperation> operations, string description)
    {
        Operations = operations;
        Description = description;
    }

    /// <summary>The images' shape a convolutional plan runs on (<see cref="Network.OnImages"/>); null for flat inputs.</summary>
    public ImageShape? InputShape { get; private init; }

    /// <summary>The operations in the order the record flows through them.</summary>
    public ImmutableArray<ILayerOperation> Operations { get; }

    /// <summary>The whole plan when it is one fused chain (the fast path); null otherwise.</summary>
    public FusedDenseChain? FusedChain => Operations is [FusedDenseChain chain] ? chain : null;

    /// <summary>L, the number of hidden layers (activations).</summary>
    public int Depth => Operations.Sum(o => o.Depth);

    /// <summary>True when some activation is integrated by quadrature.</summary>
    public bool UsesQuadrature => Operations.Any(o => o.UsesQuadrature);

    /// <summary>True when an activation is a user delegate, which only the CPU can evaluate.</summary>
    public bool HasCustomActivation => Operations.Any(o => o.HasCustomActivation);

    /// <summary>The network's description, e.g. "Dense(1.45, 0.28) → [Relu → Dense(1.45, 0.28)] × 20".</summary>
    public string Description { get; }

    /// <summary>
    /// Validates <paramref name="network"/> and plans it. Throws <see cref="NngpInputException"/> with
    /// the message <see cref="Network.Compile"/> gives for the same network.
    /// </summary>
    public static LayerPlan Compile(Network network, LayerFusion fusion = LayerFusion.FuseDenseChains)
    {
        ArgumentNullException.ThrowIfNull(network);

        // A network with convolutional layers is planned layer by layer, each layer by its family's
        // rule (its shape is checked against the images it meets: Network.ValidateFor). A Dense/φ
        // chain is validated by the compiled network and, by default, fused into one operation.
        if (network.HasSpatialLayers)
        {
            GaussianPreActivations.Check(network);
            return new LayerPlan([.. network.Layers.Select(Translate)], network.ToString()) { InputShape = network.InputShape };
        }

        CompiledNetwork chain = network.Compile();
        ImmutableArray<ILayerOperation> operations = fusion == LayerFusion.FuseDenseChains
            ? [new FusedDenseChain(chain)]
            : [.. network.Layers.Select(Translate)];
        return new LayerPlan(operations, chain.Description);
    }

    /// <summary>A residual branch: its layers one by one (an empty branch is the identity).</summary>
    private static LayerPlan Branch(Network branch) => new([.. branch.Layers.Select(Translate)], branch.Layers.IsEmpty ? "identity" : branch.ToString());

    /// <summary>The operations from <paramref name="start"/> on, as a plan of their own (the flat layers after a spatial readout).</summary>
    public LayerPlan Suffix(int start)
    {
        ImmutableArray<ILayerOperation> rest = [.. Operations.Skip(start)];
        return new LayerPlan(rest, string.Join(" → ", rest.Select(o => o.Description)));
    }

    public KernelRecord Apply(KernelRecord input, QuadratureRule quadrature)
    {
        ArgumentNullException.ThrowIfNull(input);
        KernelRecord record = input;
        foreach (ILayerOperation operation in Operations)
        {
            record = operation.Apply(record, quadrature);
        }

        return record;
    }

    /// <summary>The planner's rule per layer family: one operation each.</summary>
    private static ILayerOperation Translate(ILayer layer) => layer switch
    {
        DenseLayer dense => new DenseOperation(new DenseVariances(dense.WeightVariance, dense.BiasVariance)),
        ActivationLayer activation => new ActivationOperation(activation),
        ConvLayer conv => new ConvOperation(new ConvParameters(
            conv.FilterHeight, conv.FilterWidth, Spatial(conv.Padding), conv.WeightVariance, conv.BiasVariance, conv.StrideHeight, conv.StrideWidth)),
        AvgPoolLayer pool => new AvgPoolOperation(new PoolParameters(pool.WindowHeight, pool.WindowWidth, Spatial(pool.Padding), pool.StrideHeight, pool.StrideWidth)),
        GlobalAvgPoolLayer => new GlobalAvgPoolOperation(),
        FlattenLayer => new FlattenOperation(),
        ResidualLayer residual => new ResidualOperation([.. residual.Branches.Select(Branch)]),
        _ => throw new NngpInputException($"the layer {layer} has no kernel operation"),
    };

    private static SpatialPadding Spatial(Padding padding) => padding switch
    {
        Padding.Same => SpatialPadding.Same,
        Padding.Valid => SpatialPadding.Valid,
        Padding.Circular => SpatialPadding.Circular,
        _ => throw new NngpInputException($"unknown padding {padding}"),
    };

    public override string ToString() => Description;
}
