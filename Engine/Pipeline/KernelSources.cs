namespace GpuNngp.Engine.Pipeline;

/// <summary>Picks the kernel source a fit's layer plan needs: the providers' fused map for a Dense/φ chain, the host reference for layers no provider runs yet.</summary>
internal static class KernelSources
{
    public static IKernelSource For(IComputeProvider provider, FitRequest request, ProviderBuffer trainInputs)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Plan.FusedChain is not { } chain)
        {
            return new ReferenceSource(provider, request);
        }

        var network = HostPreparation.View(chain.Network, request.QuadratureOrder);
        return new FusedMapSource(provider, request, network, trainInputs);
    }
}
