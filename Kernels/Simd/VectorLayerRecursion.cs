using System.Runtime.CompilerServices;

namespace GpuNngp.Kernels.Simd;

/// <summary>
/// <see cref="LayerRecursion.Entry"/> for a bundle of consecutive rows of one column at once (a
/// column of a column-major matrix is contiguous, and so are consecutive points' layer-major variances).
/// </summary>
internal static class VectorLayerRecursion
{
    /// <summary>The output kernel for rows row..row+T.Count−1 of <paramref name="column"/>.</summary>
    /// <param name="rowVariances">layer-major q_l of the row points (layer·rowCount + point).</param>
    /// <param name="columnVariances">layer-major q_l of the column points.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Entry<T>(
        in HostNetworkView network,
        T inputCovariance,
        double[] rowVariances,
        int rowCount,
        int row,
        double[] columnVariances,
        int columnCount,
        int column,
        KernelKind kind)
        where T : struct, ISimdLanes<T>
    {
        ArgumentNullException.ThrowIfNull(rowVariances);
        ArgumentNullException.ThrowIfNull(columnVariances);
        DenseVariances input = network.Input;
        T k = T.Broadcast(input.BiasVariance) + T.Broadcast(input.WeightVariance) * inputCovariance;
        T theta = k;
        int depth = network.Depth;
        for (int layer = 0; layer < depth; layer++)
        {
            HiddenLayer hidden = network.Layer(layer);
            T k11 = T.Load(rowVariances, (long)layer * rowCount + row);
            T k22 = T.Broadcast(columnVariances[(long)layer * columnCount + column]);
            var (f, fDot) = VectorClosedForms.Evaluate(hidden.Activation, k, k11, k22);
            T weight = T.Broadcast(hidden.Dense.WeightVariance);
            T next = T.Broadcast(hidden.Dense.BiasVariance) + weight * f;
            theta = next + weight * fDot * theta;
            k = next;
        }

        return kind == KernelKind.Ntk ? theta : k;
    }
}
