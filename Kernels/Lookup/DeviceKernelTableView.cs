using ILGPU;

namespace GpuNngp.Kernels.Lookup;

/// <summary>
/// The GPU's view of the lookup tables: <see cref="KernelLookupTable.Layers"/> and
/// <see cref="KernelLookupTable.Coefficients"/> copied to device memory as they are. A kernel
/// parameter (copied by value at launch); no managed references inside.
/// </summary>
internal readonly struct DeviceKernelTableView : IKernelTableView
{
    private readonly ArrayView<LookupLayer> _layers;
    private readonly ArrayView<double> _coefficients;

    /// <param name="layers">One entry per hidden layer (a one-element buffer of <see cref="LookupLayer.None"/> when the depth is 0).</param>
    /// <param name="coefficients">The flat coefficient array (at least one element: a zero-length buffer cannot be allocated).</param>
    public DeviceKernelTableView(ArrayView<LookupLayer> layers, ArrayView<double> coefficients)
    {
        _layers = layers;
        _coefficients = coefficients;
    }

    public LookupLayer Layer(int layer) => _layers[layer];

    public double Coefficient(long index) => _coefficients[index];
}
