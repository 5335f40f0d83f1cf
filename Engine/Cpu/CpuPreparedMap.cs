using GpuNngp.Engine.Pipeline;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;

namespace GpuNngp.Engine.Cpu;

/// <summary>On the CPU the map runs straight from the host view and the host's lookup tables.</summary>
internal sealed record CpuPreparedMap(HostNetworkView Network, KernelLookupTable? Tables) : IPreparedMap
{
    public void Dispose()
    {
    }
}
