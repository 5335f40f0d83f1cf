using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Cpu;

/// <summary>
/// The fused layer map on the CPU: every entry's whole depth in one pass, parallel over columns of
/// column-major matrices (a column's entries are contiguous).
/// </summary>
internal static class HostKernelMap
{
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

    /// <summary>
    /// Every column in parallel: from the diagonal down for a lower triangle, else whole; on at most the
    /// counter's threads, and stopping (<see cref="OperationCanceledException"/>) between columns once its token is cancelled.
    /// </summary>
    private static void MapColumns(ColumnMap map, int columns, bool lowerTriangle, ProgressCounter progress) =>
        Parallel.For(0, columns, progress.Parallelism, column =>
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
}
