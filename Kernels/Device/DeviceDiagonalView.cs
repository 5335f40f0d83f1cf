using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// Per-point variances q_l in device memory, layer-major (index layer·count + point) as on the host,
/// so the threads of a warp, which take neighbouring points, read neighbouring words.
/// </summary>
internal readonly struct DeviceDiagonalView : IDiagonalView
{
    private readonly ArrayView<double> _values;
    private readonly int _count;

    /// <param name="values">At least depth·<paramref name="count"/> values (any length when the depth is 0).</param>
    /// <param name="count">The number of points.</param>
    public DeviceDiagonalView(ArrayView<double> values, int count)
    {
        _values = values;
        _count = count;
    }

    public double Variance(int layer, int point) => _values[(long)layer * _count + point];
}
