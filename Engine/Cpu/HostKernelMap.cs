using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;

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
    public static unsafe void MapLowerTriangle(
        HostNetworkView network, HostBuffer matrix, int n, double[] layerVariances, KernelKind kind, ProgressCounter progress, KernelLookupTable? tables = null)
    {
        CheckShape(matrix.Length, n, n);
        MapColumns(new ColumnMap(network, matrix.Pointer, layerVariances, n, layerVariances, n, kind, ColumnMap.WidestFor(network), tables), n, lowerTriangle: true, progress);
    }

    /// <inheritdoc cref="MapLowerTriangle(HostNetworkView, HostBuffer, int, double[], KernelKind, ProgressCounter, KernelLookupTable?)"/>
    public static unsafe void MapLowerTriangle(
        HostNetworkView network, double[] matrix, int n, double[] layerVariances, KernelKind kind, ProgressCounter progress, KernelLookupTable? tables = null)
    {
        CheckShape(matrix.LongLength, n, n);
        fixed (double* pinned = matrix)
        {
            MapColumns(new ColumnMap(network, pinned, layerVariances, n, layerVariances, n, kind, ColumnMap.WidestFor(network), tables), n, lowerTriangle: true, progress);
        }
    }

    /// <summary>Maps a rows×columns Gram between two point sets in place (through <paramref name="tables"/> where they cover an entry).</summary>
    public static unsafe void MapRectangle(
        HostNetworkView network, HostBuffer matrix, int rows, int columns, double[] rowVariances, double[] columnVariances,
        KernelKind kind, ProgressCounter progress, KernelLookupTable? tables = null)
    {
        CheckShape(matrix.Length, rows, columns);
        MapColumns(new ColumnMap(network, matrix.Pointer, rowVariances, rows, columnVariances, columns, kind, ColumnMap.WidestFor(network), tables), columns, lowerTriangle: false, progress);
    }

    /// <inheritdoc cref="MapRectangle(HostNetworkView, HostBuffer, int, int, double[], double[], KernelKind, ProgressCounter, KernelLookupTable?)"/>
    public static unsafe void MapRectangle(
        HostNetworkView network, double[] matrix, int rows, int columns, double[] rowVariances, double[] columnVariances,
        KernelKind kind, ProgressCounter progress, KernelLookupTable? tables = null)
    {
        CheckShape(matrix.LongLength, rows, columns);
        fixed (double* pinned = matrix)
        {
            MapColumns(new ColumnMap(network, pinned, rowVariances, rows, columnVariances, columns, kind, ColumnMap.WidestFor(network), tables), columns, lowerTriangle: false, progress);
        }
    }

    /// <summary>Every column in parallel: from the diagonal down for a lower triangle, else whole.</summary>
    private static void MapColumns(ColumnMap map, int columns, bool lowerTriangle, ProgressCounter progress) =>
        Parallel.For(0, columns, column =>
        {
            int firstRow = lowerTriangle ? column : 0;
            map.Map(column, firstRow);
            progress.Advance(map.RowCount - firstRow);
        });

    private static void CheckShape(long length, int rows, int columns)
    {
        if (length < ColumnMajor.Count(rows, columns))
        {
            throw new ArgumentException($"a {rows}×{columns} matrix needs {ColumnMajor.Count(rows, columns)} values; the buffer holds {length}");
        }
    }

    /// <summary>The diagonal of a column-major square matrix (K⁰(x, x) = x·x/d after the Gram).</summary>
    public static unsafe double[] Diagonal(HostBuffer matrix, int n)
    {
        CheckShape(matrix.Length, n, n);
        var diagonal = new double[n];
        double* m = matrix.Pointer;
        for (int i = 0; i < n; i++)
        {
            diagonal[i] = m[ColumnMajor.Index(i, i, n)];
        }

        return diagonal;
    }

    /// <inheritdoc cref="Diagonal(HostBuffer, int)"/>
    public static double[] Diagonal(double[] matrix, int n)
    {
        CheckShape(matrix.LongLength, n, n);
        var diagonal = new double[n];
        for (int i = 0; i < n; i++)
        {
            diagonal[i] = matrix[ColumnMajor.Index(i, i, n)];
        }

        return diagonal;
    }

    /// <summary>Squared row norms divided by d: K⁰(x, x) for each row of X.</summary>
    public static double[] InputVariances(double[] columnMajor, int rows, int dimension)
    {
        var result = new double[rows];
        for (int j = 0; j < dimension; j++)
        {
            long offset = ColumnMajor.ColumnStart(j, rows);
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
