namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// A network's fused layer map made ready where a provider runs it: the host view on the CPU; on a
/// GPU the layers, quadrature constants and lookup tables copied to the device. One per fit.
/// </summary>
internal interface IPreparedMap : IDisposable
{
}
