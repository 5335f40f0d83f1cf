namespace GpuNngp.Kernels.Lookup;

/// <summary>
/// F and Ḟ from lookup tables: per hidden layer, the layer's table where it has one and the entry's
/// variances match it (<see cref="KernelTableMath.Covers"/>), otherwise <see cref="DualActivation.Evaluate"/>
/// (closed form or quadrature) exactly as <see cref="DirectDual"/>. Closed-form activations never have
/// tables. Generic over the table view, so the CPU and an ILGPU kernel run the same code; on the
/// diagonal (θ = 0) a table holds the quadrature value itself.
/// </summary>
internal readonly struct TabulatedDual<TTable> : IDualEvaluator
    where TTable : struct, IKernelTableView
{
    private readonly TTable _tables;

    public TabulatedDual(TTable tables) => _tables = tables;

    public DualMoments Evaluate<TNetwork>(in TNetwork network, Activation activation, int layer, double k12, double k11, double k22, bool withDerivative)
        where TNetwork : struct, INetworkView
    {
        LookupLayer table = _tables.Layer(layer);
        return KernelTableMath.Covers(table, k11, k22, withDerivative)
            ? KernelTableMath.Evaluate(in _tables, table, k12, k11, k22, withDerivative)
            : DualActivation.Evaluate(in network, activation, layer, k12, k11, k22, withDerivative);
    }
}
