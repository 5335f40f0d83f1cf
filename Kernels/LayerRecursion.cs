using System.Runtime.CompilerServices;

namespace GpuNngp.Kernels;

/// <summary>
/// The whole depth of the kernel recursion applied to one matrix entry, in registers:
/// K¹ = σb² + σw²·K⁰, then per hidden layer K ← σb² + σw²·F(K, q_l(x), q_l(x')) and, for the NTK,
/// Θ ← K_new + σw²·Ḟ·Θ. One read of K⁰, one write of the result: never a full matrix per layer.
/// F and Ḟ come from an <see cref="IDualEvaluator"/>: directly (the default) or from lookup tables.
/// </summary>
internal static class LayerRecursion
{
    /// <summary>The output kernel entry for inputs x (row) and x' (column) with K⁰(x, x') = <paramref name="inputCovariance"/>.</summary>
    public static double Entry<TNetwork, TDiagonal>(
        in TNetwork network,
        double inputCovariance,
        in TDiagonal rowDiagonal,
        int row,
        in TDiagonal columnDiagonal,
        int column,
        KernelKind kind)
        where TNetwork : struct, INetworkView
        where TDiagonal : struct, IDiagonalView =>
        Entry(in network, default(DirectDual), inputCovariance, in rowDiagonal, row, in columnDiagonal, column, kind);

    /// <summary>As <see cref="Entry{TNetwork, TDiagonal}"/>, with F and Ḟ from <paramref name="dual"/>.</summary>
    /// <remarks>
    /// Optimised at once on the CPU rather than tiered (see <see cref="Simd.VectorScalarMath"/>); ILGPU
    /// compiles it for the GPU regardless of the attribute.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Entry<TNetwork, TDual, TDiagonal>(
        in TNetwork network,
        in TDual dual,
        double inputCovariance,
        in TDiagonal rowDiagonal,
        int row,
        in TDiagonal columnDiagonal,
        int column,
        KernelKind kind)
        where TNetwork : struct, INetworkView
        where TDual : struct, IDualEvaluator
        where TDiagonal : struct, IDiagonalView
    {
        bool ntk = kind == KernelKind.Ntk;
        double k = network.Input.Apply(inputCovariance);
        double theta = k;
        int depth = network.Depth;
        for (int layer = 0; layer < depth; layer++)
        {
            HiddenLayer hidden = network.Layer(layer);
            DualMoments moments = dual.Evaluate(
                in network, hidden.Activation, layer, k, rowDiagonal.Variance(layer, row), columnDiagonal.Variance(layer, column), ntk);
            DenseVariances dense = hidden.Dense;
            double next = dense.Apply(moments.F);
            theta = next + dense.WeightVariance * moments.FDot * theta;
            k = next;
        }

        return ntk ? theta : k;
    }

    /// <summary>
    /// The diagonal chain of one point from q⁰ = x·x/d: fills <paramref name="layerVariances"/>
    /// (length L, the variance entering each activation) and returns the output variance K^{L+1}(x, x)
    /// and Θ(x, x). Runs on the host: it is O(N·L), and the GPU receives its result.
    /// </summary>
    public static (double Nngp, double Ntk) Diagonal<TNetwork>(
        in TNetwork network, double inputVariance, Span<double> layerVariances)
        where TNetwork : struct, INetworkView =>
        Diagonal(in network, default(DirectDual), inputVariance, layerVariances);

    /// <summary>As <see cref="Diagonal{TNetwork}"/>, with F and Ḟ from <paramref name="dual"/>.</summary>
    public static (double Nngp, double Ntk) Diagonal<TNetwork, TDual>(
        in TNetwork network, in TDual dual, double inputVariance, Span<double> layerVariances)
        where TNetwork : struct, INetworkView
        where TDual : struct, IDualEvaluator
    {
        double q = network.Input.Apply(inputVariance);
        double theta = q;
        for (int layer = 0; layer < network.Depth; layer++)
        {
            layerVariances[layer] = q;
            HiddenLayer hidden = network.Layer(layer);
            DualMoments moments = dual.Evaluate(in network, hidden.Activation, layer, q, q, q, withDerivative: true);
            DenseVariances dense = hidden.Dense;
            double next = dense.Apply(moments.F);
            theta = next + dense.WeightVariance * moments.FDot * theta;
            q = next;
        }

        return (q, theta);
    }
}
