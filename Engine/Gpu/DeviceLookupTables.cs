using GpuNngp.Kernels.Lookup;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// The host's lookup tables (<see cref="KernelLookupTable"/>) copied to device memory as they are,
/// with the view the tabulated map kernels take. Built on the host (O(10⁴) quadrature cells a layer),
/// uploaded once per fit.
/// </summary>
internal sealed class DeviceLookupTables : IDisposable
{
    private readonly MemoryBuffer1D<LookupLayer, Stride1D.Dense> _layers;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _coefficients;

    public DeviceLookupTables(Accelerator accelerator, AcceleratorStream stream, KernelLookupTable tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        Host = tables;

        // Neither buffer may be empty (a zero-length buffer cannot be allocated): the view's contract.
        LookupLayer[] layers = tables.Layers.Length > 0 ? tables.Layers : [LookupLayer.None];
        double[] coefficients = tables.Coefficients.Length > 0 ? tables.Coefficients : [0.0];
        _layers = GpuHost.Allocate<LookupLayer>(accelerator, layers.Length, "the lookup tables' layers");
        try
        {
            _coefficients = GpuHost.Allocate(accelerator, coefficients.Length, "the lookup tables");
        }
        catch
        {
            _layers.Dispose();
            throw;
        }

        GpuHost.CopyIn(stream, _layers.View, layers);
        GpuHost.CopyIn(stream, _coefficients.View, coefficients);
    }

    /// <summary>The host tables these copy (the host evaluates the diagonal chains through them).</summary>
    public KernelLookupTable Host { get; }

    public DeviceKernelTableView View => new(_layers.View, _coefficients.View);

    public void Dispose()
    {
        _coefficients.Dispose();
        _layers.Dispose();
    }
}
