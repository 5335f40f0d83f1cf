namespace GpuNngp.Kernels;

/// <summary>Layer-major per-point variances in a managed array (the CPU side).</summary>
internal readonly struct HostDiagonalView : IDiagonalView
{
    private readonly double[] _values;
    private readonly int _points;

    public HostDiagonalView(double[] values, int points)
    {
        _values = values;
        _points = points;
    }

    public double Variance(int layer, int point) => _values[layer * _points + point];
}
