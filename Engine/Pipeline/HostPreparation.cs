using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// The host-side preparation every provider's map shares: the network's host view, the input
/// variances q⁰, the lookup tables and the per-point diagonal chains. They are O(N·L) and computed on
/// the host for every provider, so both compute the same entries the same way.
/// </summary>
internal static class HostPreparation
{
    /// <summary>The network's host view with the quadrature rule of that order.</summary>
    public static HostNetworkView View(CompiledNetwork network, int quadratureOrder)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.HostView(QuadratureRules.Get(quadratureOrder));
    }

    /// <summary>
    /// The lookup tables for a network and inputs with these q⁰ (<see cref="KernelLookupTable"/>), or
    /// null where they cannot help: mode off, closed forms only, or inputs of different norms.
    /// </summary>
    public static KernelLookupTable? Tables(HostNetworkView network, IReadOnlyList<double> inputVariance, LookupTableMode mode) =>
        mode == LookupTableMode.Auto && KernelLookupTable.Helps(network)
            ? KernelLookupTable.TryBuild(network, inputVariance, LookupTableOptions.Default, out _)
            : null;

    /// <summary>
    /// Per-point variances from q⁰ = K⁰(x, x): layer-major q_l (L × count) and the output diagonal of
    /// the requested kernel, which the pipeline writes onto the kernel's diagonal (exact at c = 1,
    /// where the map of a kinked activation is ill-conditioned); through <paramref name="tables"/> where they cover a point.
    /// </summary>
    public static (double[] LayerVariances, double[] Output) Diagonals(
        HostNetworkView network, IReadOnlyList<double> inputVariance, KernelKind kind, KernelLookupTable? tables = null)
    {
        ArgumentNullException.ThrowIfNull(inputVariance);
        int count = inputVariance.Count;
        int depth = network.Depth;
        var layerMajor = new double[(long)depth * count];
        var output = new double[count];
        HostKernelTableView? view = tables?.View;
        Parallel.For(0, count, () => new double[depth], (point, _, chain) =>
        {
            var (nngp, ntk) = view is { } t
                ? LayerRecursion.Diagonal(network, new TabulatedDual<HostKernelTableView>(t), inputVariance[point], chain)
                : LayerRecursion.Diagonal(network, inputVariance[point], chain);
            output[point] = kind == KernelKind.Ntk ? ntk : nngp;
            for (int layer = 0; layer < depth; layer++)
            {
                layerMajor[(long)layer * count + point] = chain[layer];
            }

            return chain;
        }, _ => { });
        FiniteResults.CheckDiagonals(inputVariance, layerMajor, output, depth, kind);
        return (layerMajor, output);
    }

    /// <summary>The matrix's own column-major array where it is dense (no copy), else a column-major copy: how inputs and targets reach a provider.</summary>
    public static double[] ColumnMajor(Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return matrix.AsColumnMajorArray() ?? matrix.ToColumnMajorArray();
    }

    /// <summary>
    /// Squared row norms divided by d: K⁰(x, x) for each row of the column-major X, for point sets
    /// whose own Gram is not computed (a test tile, the sets of a cross kernel). Where the Gram is
    /// computed the pipeline takes q⁰ from its diagonal instead, so that c = k12/√(k11·k22) is exactly
    /// 1 there: arccos is steep at 1, and a rounding difference would show in deep kernels.
    /// </summary>
    public static double[] InputVariances(ReadOnlySpan<double> columnMajor, int rows, int dimension)
    {
        var result = new double[rows];
        for (int j = 0; j < dimension; j++)
        {
            ReadOnlySpan<double> column = columnMajor.Slice(j * rows, rows);
            for (int i = 0; i < rows; i++)
            {
                result[i] += column[i] * column[i];
            }
        }

        for (int i = 0; i < rows; i++)
        {
            result[i] /= dimension;
        }

        return result;
    }
}
