using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Spatial;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// Picks the kernel source a fit's layer plan needs: the providers' fused map for a Dense/φ chain,
/// their spatial kernel for a convolutional plan, the host reference for a plan without a slice
/// form (a residual block with a pooling inside).
/// </summary>
internal static class KernelSources
{
    public static IKernelSource For(IComputeProvider provider, FitRequest request, ProviderBuffer trainInputs)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Plan.FusedChain is not { } chain)
        {
            return SliceProgram.TryCompile(request.Plan, QuadratureRules.Get(request.QuadratureOrder)) is { } program
                ? new SpatialSource(provider, request, program)
                : new ReferenceSource(provider, request);
        }

        var network = HostPreparation.View(chain.Network, request.QuadratureOrder);
        return new FusedMapSource(provider, request, network, trainInputs);
    }
}
