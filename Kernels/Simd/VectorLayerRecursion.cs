using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuNngp.Kernels.Simd;

/// <summary>
/// <see cref="LayerRecursion.Entry"/> for four consecutive rows of one column at once (a column of
/// a column-major matrix is contiguous, and so are four points' layer-major variances).
/// </summary>
public static class VectorLayerRecursion
{
    /// <summary>The output kernel for rows row..row+3 of <paramref name="column"/>.</summary>
    /// <param name="rowVariances">layer-major q_l of the row points (layer·rowCount + point).</param>
    /// <param name="columnVariances">layer-major q_l of the column points.</param>
    public static Vector256<double> Entry(
        in HostNetworkView network,
        Vector256<double> inputCovariance,
        double[] rowVariances,
        int rowCount,
        int row,
        double[] columnVariances,
        int columnCount,
        int column,
        KernelKind kind)
    {
        ArgumentNullException.ThrowIfNull(rowVariances);
        ArgumentNullException.ThrowIfNull(columnVariances);
        DenseVariances input = network.Input;
        Vector256<double> k = Vector256.Create(input.BiasVariance) + Vector256.Create(input.WeightVariance) * inputCovariance;
        Vector256<double> theta = k;
        int depth = network.Depth;
        for (int layer = 0; layer < depth; layer++)
        {
            HiddenLayer hidden = network.Layer(layer);
            Vector256<double> k11 = Vector256.LoadUnsafe(ref rowVariances[(long)layer * rowCount + row]);
            Vector256<double> k22 = Vector256.Create(columnVariances[(long)layer * columnCount + column]);
            var (f, fDot) = VectorClosedForms.Evaluate(hidden.Activation, k, k11, k22);
            Vector256<double> weight = Vector256.Create(hidden.Dense.WeightVariance);
            Vector256<double> next = Vector256.Create(hidden.Dense.BiasVariance) + weight * f;
            theta = next + weight * fDot * theta;
            k = next;
        }

        return kind == KernelKind.Ntk ? theta : k;
    }

    /// <summary>Loads four doubles starting at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Load(double[] values, long index) => Vector256.LoadUnsafe(ref values[index]);

    /// <summary>Stores four doubles starting at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<double> vector, double[] values, long index) => vector.StoreUnsafe(ref values[index]);
}
