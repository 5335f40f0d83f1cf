namespace GpuNngp.Kernels.Lookup;

/// <summary>
/// <see cref="LayerRecursion"/> with lookup tables: per hidden layer, the layer's table where it has
/// one and the entry's variances match it (<see cref="KernelTableMath.Covers"/>), otherwise
/// <see cref="DualActivation.Evaluate"/> (closed form or quadrature) exactly as the plain recursion.
/// Closed-form activations never have tables. Generic over the same views as the plain recursion,
/// so the CPU and an ILGPU kernel run the same code.
/// </summary>
public static class TabulatedRecursion
{
    /// <summary>The output kernel entry for inputs x (row) and x' (column) with K⁰(x, x') = <paramref name="inputCovariance"/>.</summary>
    public static double Entry<TNetwork, TTable, TDiagonal>(
        in TNetwork network,
        in TTable tables,
        double inputCovariance,
        in TDiagonal rowDiagonal,
        int row,
        in TDiagonal columnDiagonal,
        int column,
        KernelKind kind)
        where TNetwork : struct, INetworkView
        where TTable : struct, IKernelTableView
        where TDiagonal : struct, IDiagonalView
    {
        bool ntk = kind == KernelKind.Ntk;
        double k = network.Input.Apply(inputCovariance);
        double theta = k;
        int depth = network.Depth;
        for (int layer = 0; layer < depth; layer++)
        {
            HiddenLayer hidden = network.Layer(layer);
            double k11 = rowDiagonal.Variance(layer, row);
            double k22 = columnDiagonal.Variance(layer, column);
            LookupLayer table = tables.Layer(layer);
            DualMoments moments = KernelTableMath.Covers(table, k11, k22, ntk)
                ? KernelTableMath.Evaluate(in tables, table, k, k11, k22, ntk)
                : DualActivation.Evaluate(in network, hidden.Activation, layer, k, k11, k22, ntk);
            DenseVariances dense = hidden.Dense;
            double next = dense.Apply(moments.F);
            theta = next + dense.WeightVariance * moments.FDot * theta;
            k = next;
        }

        return ntk ? theta : k;
    }

    /// <summary>
    /// The diagonal chain of one point from q⁰ = x·x/d, as <see cref="LayerRecursion.Diagonal"/>: fills
    /// <paramref name="layerVariances"/> (length L) and returns K^{L+1}(x, x) and Θ(x, x). A layer
    /// uses its table (at θ = 0, where the table holds the quadrature value itself) when the point's
    /// variance matches it; Θ needs Ḟ, so a layer without a tabulated Ḟ is evaluated directly.
    /// </summary>
    public static (double Nngp, double Ntk) Diagonal<TNetwork, TTable>(
        in TNetwork network, in TTable tables, double inputVariance, Span<double> layerVariances)
        where TNetwork : struct, INetworkView
        where TTable : struct, IKernelTableView
    {
        double q = network.Input.Apply(inputVariance);
        double theta = q;
        for (int layer = 0; layer < network.Depth; layer++)
        {
            layerVariances[layer] = q;
            HiddenLayer hidden = network.Layer(layer);
            LookupLayer table = tables.Layer(layer);
            DualMoments moments = KernelTableMath.Covers(table, q, q, withDerivative: true)
                ? KernelTableMath.Evaluate(in tables, table, q, q, q, withDerivative: true)
                : DualActivation.Evaluate(in network, hidden.Activation, layer, q, q, q, withDerivative: true);
            DenseVariances dense = hidden.Dense;
            double next = dense.Apply(moments.F);
            theta = next + dense.WeightVariance * moments.FDot * theta;
            q = next;
        }

        return (q, theta);
    }
}
