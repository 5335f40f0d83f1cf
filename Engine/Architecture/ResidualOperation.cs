using System.Collections.Immutable;
using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// A residual block: every branch's plan applied to the same incoming record, their K and Θ summed
/// (<see cref="ResidualSum"/>); an empty branch is the identity (the skip connection).
/// </summary>
internal sealed class ResidualOperation(ImmutableArray<LayerPlan> branches) : ILayerOperation
{
    public ImmutableArray<LayerPlan> Branches { get; } = branches;

    public string Description => $"Residual({string.Join(" | ", Branches.Select(b => b.Operations.IsEmpty ? "identity" : b.Description))})";

    public int Depth => Branches.Max(b => b.Depth);

    public bool UsesQuadrature => Branches.Any(b => b.UsesQuadrature);

    public bool HasCustomActivation => Branches.Any(b => b.HasCustomActivation);

    public KernelRecord Apply(KernelRecord input, QuadratureRule quadrature) =>
        ResidualSum.Of([.. Branches.Select(branch => branch.Apply(input, quadrature))]);
}
