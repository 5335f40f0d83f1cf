using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.Gpu;

/// <summary>The network (layers, quadrature constants) and lookup tables in device memory, for one fit's map launches.</summary>
internal sealed class GpuPreparedMap(DeviceNetwork network, DeviceLookupTables? tables) : IPreparedMap
{
    public DeviceNetwork Network { get; } = network;

    public DeviceLookupTables? Tables { get; } = tables;

    public void Dispose()
    {
        Tables?.Dispose();
        Network.Dispose();
    }
}
