namespace GpuNngp.Kernels.Lookup;

/// <summary>The CPU's view of the lookup tables: the two arrays of a <see cref="KernelLookupTable"/>.</summary>
internal readonly struct HostKernelTableView : IKernelTableView
{
    private readonly LookupLayer[] _layers;
    private readonly double[] _coefficients;

    public HostKernelTableView(LookupLayer[] layers, double[] coefficients)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(coefficients);
        _layers = layers;
        _coefficients = coefficients;
    }

    public LookupLayer Layer(int layer) => _layers[layer];

    public double Coefficient(long index) => _coefficients[index];
}
