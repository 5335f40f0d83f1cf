namespace GpuNngp.Engine.Pipeline;

/// <summary>Picks the kernel source a fit's layer plan needs (<see cref="PlanExecution"/> says which operations run where).</summary>
internal static class KernelSources
{
    public static IKernelSource For(IComputeProvider provider, FitRequest request, ProviderBuffer trainInputs)
    {
        ArgumentNullException.ThrowIfNull(request);
        var network = HostPreparation.View(request.Network, request.QuadratureOrder);
        return new FusedMapSource(provider, request, network, trainInputs);
    }
}
