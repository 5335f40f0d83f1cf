using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Kernels.Simd;

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
                ? TabulatedRecursion.Diagonal(network, t, inputVariance[point], chain)
                : LayerRecursion.Diagonal(network, inputVariance[point], chain);
            output[point] = kind == KernelKind.Ntk ? ntk : nngp;
            for (int layer = 0; layer < depth; layer++)
            {
                layerMajor[(long)layer * count + point] = chain[layer];
            }

            return chain;
        }, _ => { });
        return (layerMajor, output);
    }

    /// <summary>
    /// Maps the lower triangle (diagonal included) of the n×n Gram in <paramref name="matrix"/> in place;
    /// with <paramref name="tables"/>, each layer's table answers the entries it covers.
    /// </summary>
    public static void MapLowerTriangle(
        HostNetworkView network, double[] matrix, int n, double[] layerVariances, KernelKind kind, ProgressCounter progress, KernelLookupTable? tables = null)
    {
        var diagonal = new HostDiagonalView(layerVariances, n);
        if (tables is not null)
        {
            var view = tables.View;
            Parallel.For(0, n, column =>
            {
                long offset = (long)column * n;
                for (int row = column; row < n; row++)
                {
                    matrix[offset + row] = TabulatedRecursion.Entry(network, view, matrix[offset + row], diagonal, row, diagonal, column, kind);
                }

                progress.Advance(n - column);
            });
            return;
        }

        var lanes = Lanes(network);
        Parallel.For(0, n, column =>
        {
            MapColumn(lanes, network, matrix, (long)column * n, column, n, layerVariances, n, layerVariances, n, column, kind);
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
        if (tables is not null)
        {
            var rowDiagonal = new HostDiagonalView(rowVariances, rows);
            var columnDiagonal = new HostDiagonalView(columnVariances, columns);
            var view = tables.View;
            Parallel.For(0, columns, column =>
            {
                long offset = (long)column * rows;
                for (int row = 0; row < rows; row++)
                {
                    matrix[offset + row] = TabulatedRecursion.Entry(network, view, matrix[offset + row], rowDiagonal, row, columnDiagonal, column, kind);
                }

                progress.Advance(rows);
            });
            return;
        }

        var lanes = Lanes(network);
        Parallel.For(0, columns, column =>
        {
            MapColumn(lanes, network, matrix, (long)column * rows, 0, rows, rowVariances, rows, columnVariances, columns, column, kind);
            progress.Advance(rows);
        });
    }

    /// <summary>The vector widths the map can run at, widest first; <see cref="Lanes"/> picks one.</summary>
    internal enum LaneWidth
    {
        Scalar,
        Two256,
        Two512,
    }

    /// <summary>
    /// The widest bundle the hardware runs natively, where every activation has a vector form; the
    /// lanes equal the scalar path bit for bit, so the choice changes speed only.
    /// </summary>
    internal static LaneWidth Lanes(HostNetworkView network) =>
        !VectorClosedForms.Supports(network.Layers) ? LaneWidth.Scalar
        : Vector512Pair.IsHardwareAccelerated ? LaneWidth.Two512
        : Vector256Pair.IsHardwareAccelerated ? LaneWidth.Two256
        : LaneWidth.Scalar;

    /// <summary>Maps rows [first, end) of one column in place: whole bundles, then the scalar tail.</summary>
    internal static void MapColumn(
        LaneWidth lanes,
        HostNetworkView network,
        double[] matrix,
        long offset,
        int first,
        int end,
        double[] rowVariances,
        int rowCount,
        double[] columnVariances,
        int columnCount,
        int column,
        KernelKind kind)
    {
        int row = lanes switch
        {
            LaneWidth.Two512 => MapBundles<Vector512Pair>(network, matrix, offset, first, end, rowVariances, rowCount, columnVariances, columnCount, column, kind),
            LaneWidth.Two256 => MapBundles<Vector256Pair>(network, matrix, offset, first, end, rowVariances, rowCount, columnVariances, columnCount, column, kind),
            _ => first,
        };
        var rowDiagonal = new HostDiagonalView(rowVariances, rowCount);
        var columnDiagonal = new HostDiagonalView(columnVariances, columnCount);
        for (; row < end; row++)
        {
            matrix[offset + row] = LayerRecursion.Entry(network, matrix[offset + row], rowDiagonal, row, columnDiagonal, column, kind);
        }
    }

    /// <summary>Maps whole bundles of T.Count rows from <paramref name="first"/>; returns the first row left over.</summary>
    private static int MapBundles<T>(
        HostNetworkView network,
        double[] matrix,
        long offset,
        int first,
        int end,
        double[] rowVariances,
        int rowCount,
        double[] columnVariances,
        int columnCount,
        int column,
        KernelKind kind)
        where T : struct, ISimdLanes<T>
    {
        int row = first;
        for (; row + T.Count <= end; row += T.Count)
        {
            T gram = T.Load(matrix, offset + row);
            VectorLayerRecursion.Entry(network, gram, rowVariances, rowCount, row, columnVariances, columnCount, column, kind).Store(matrix, offset + row);
        }

        return row;
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
