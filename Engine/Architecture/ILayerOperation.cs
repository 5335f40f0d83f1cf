using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// One step of a <see cref="LayerPlan"/>: a map from the kernel record entering a layer (or a run of
/// layers) to the record leaving it. <see cref="Apply"/> is the host's reference implementation; the
/// pipeline runs the providers' fast form of the same operation (for <see cref="FusedDenseChain"/>,
/// today's all-layers map).
/// </summary>
internal interface ILayerOperation
{
    /// <summary>e.g. "Dense(1.45, 0.28)", "Relu", or the whole chain for a fused operation.</summary>
    string Description { get; }

    /// <summary>The hidden layers (activations) this operation applies: 0 for a dense layer.</summary>
    int Depth { get; }

    /// <summary>True when an activation here has no closed form and is integrated by quadrature.</summary>
    bool UsesQuadrature { get; }

    /// <summary>True when an activation here is a user delegate, which only the host can evaluate.</summary>
    bool HasCustomActivation { get; }

    /// <summary>The record after this operation; <paramref name="quadrature"/> serves activations without a closed form.</summary>
    KernelRecord Apply(KernelRecord input, QuadratureRule quadrature);
}
