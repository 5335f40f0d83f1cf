using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;

namespace GpuNngp.Engine.Cpu;

/// <summary>
/// The layer map on the CPU: the per-point diagonals, then every entry's whole depth in one pass,
/// parallel over columns of column-major matrices (a column's entries are contiguous).
/// </summary>
internal static class HostKernelMap
{
    /// <summary>
    /// The lookup tables for a network and inputs with these q⁰ (<see cref="KernelLookupTable"/>), or
    /// null where they cannot help: mode off, closed forms only, or inputs of different norms.
    /// </summary>
    public static KernelLookupTable? Tables(HostNetworkView network, IReadOnlyList<double> inputVariance, LookupTableMode mode) =>
        mode == LookupTableMode.Auto && KernelLookupTable.Helps(network)
            ? KernelLookupTable.TryBuild(network, inputVariance, LookupTableOptions.Default, out _)
            : null;

    /// <summary>
    /// Per-point variances from q⁰ = K⁰(x, x): layer-major q_l (L × count) and the output
    /// diagonal of the requested kernel; through <paramref name="tables"/> where they cover a point.
    /// </summary>
    public static (double[] LayerVariances, double[] Output) Diagonals(
        HostNetworkView network, IReadOnlyList<double> inputVariance, KernelKind kind, KernelLookupTable? tables = null)
    {
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

    /// <summary>
    /// Maps the lower triangle (diagonal included) of the n×n Gram in <paramref name="matrix"/> in place;
    /// with <paramref name="tables"/>, each layer's table answers the entries it covers.
    /// </summary>
    public static void MapLowerTriangle(
        HostNetworkView network, double[] matrix, int n, double[] layerVariances, KernelKind kind, ProgressCounter progress, KernelLookupTable? tables = null)
    {
        var map = new ColumnMap(network, matrix, layerVariances, n, layerVariances, n, kind, ColumnMap.WidestFor(network), tables);
        Parallel.For(0, n, column =>
        {
            map.Map(column, firstRow: column);
            progress.Advance(n - column);
        });
    }

    /// <summary>Maps a rows×columns Gram between two point sets in place (through <paramref name="tables"/> where they cover an entry).</summary>
    public static void MapRectangle(
        HostNetworkView network,
        double[] matrix,
        int rows,
        int columns,
        double[] rowVariances,
        double[] columnVariances,
        KernelKind kind,
        ProgressCounter progress,
        KernelLookupTable? tables = null)
    {
        var map = new ColumnMap(network, matrix, rowVariances, rows, columnVariances, columns, kind, ColumnMap.WidestFor(network), tables);
        Parallel.For(0, columns, column =>
        {
            map.Map(column, firstRow: 0);
            progress.Advance(rows);
        });
    }

    /// <summary>Copies the lower triangle onto the upper one, making the matrix whole.</summary>
    public static void MirrorLowerToUpper(double[] matrix, int n)
    {
        Parallel.For(0, n, column =>
        {
            for (int row = column + 1; row < n; row++)
            {
                matrix[(long)row * n + column] = matrix[(long)column * n + row];
            }
        });
    }

    /// <summary>Restores the lower triangle from the upper copy (after a failed factorisation).</summary>
    public static void RestoreLowerFromUpper(double[] matrix, int n)
    {
        Parallel.For(0, n, column =>
        {
            for (int row = column + 1; row < n; row++)
            {
                matrix[(long)column * n + row] = matrix[(long)row * n + column];
            }
        });
    }

    /// <summary>The diagonal of a column-major square matrix (K⁰(x, x) = x·x/d after the Gram).</summary>
    public static double[] Diagonal(double[] matrix, int n)
    {
        var diagonal = new double[n];
        for (int i = 0; i < n; i++)
        {
            diagonal[i] = matrix[(long)i * n + i];
        }

        return diagonal;
    }

    /// <summary>Squared row norms divided by d: K⁰(x, x) for each row of X.</summary>
    public static double[] InputVariances(double[] columnMajor, int rows, int dimension)
    {
        var result = new double[rows];
        for (int j = 0; j < dimension; j++)
        {
            long offset = (long)j * rows;
            for (int i = 0; i < rows; i++)
            {
                double v = columnMajor[offset + i];
                result[i] += v * v;
            }
        }

        for (int i = 0; i < rows; i++)
        {
            result[i] /= dimension;
        }

        return result;
    }

    internal static HostNetworkView View(CompiledNetwork network, int quadratureOrder) =>
        network.HostView(QuadratureRules.Get(quadratureOrder));
}
