using GpuNngp.Engine.Architecture;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// Which operations of a <see cref="LayerPlan"/> the providers run. Today every provider runs the
/// fused Dense/φ chain — the fast path the planner picks for every fully connected network — as one
/// map over the kernel's entries; a new layer family (the convolution issue) adds its operation
/// here and its kernel to each provider. The plan's reference <see cref="LayerPlan.Apply"/> is the
/// host implementation the tests compare the providers with.
/// </summary>
internal static class PlanExecution
{
    /// <summary>The plan's fused chain, or the error naming the first operation no provider runs yet.</summary>
    public static CompiledNetwork FusedNetwork(LayerPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.FusedChain?.Network ?? throw new NngpInputException(
            $"convolutional networks are not computed yet: no provider runs the operation {plan.Operations.First(o => o is not FusedDenseChain).Description} (the providers take Dense layers and activations only)");
    }
}
