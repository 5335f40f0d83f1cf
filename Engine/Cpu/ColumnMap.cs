using System.Runtime.CompilerServices;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Kernels.Simd;

namespace GpuNngp.Engine.Cpu;

/// <summary>The vector widths the CPU map can run at; <see cref="ColumnMap.WidestFor"/> picks one.</summary>
internal enum LaneWidth
{
    Scalar,
    Two256,
    Two512,
}

/// <summary>
/// The layer map of one column-major matrix, a column at a time (a column's entries are contiguous,
/// and so are consecutive row points' layer-major variances): through the lookup tables where given,
/// else whole bundles of SIMD lanes, then the scalar tail.
/// </summary>
internal readonly record struct ColumnMap(
    HostNetworkView Network,
    double[] Matrix,
    double[] RowVariances,
    int RowCount,
    double[] ColumnVariances,
    int ColumnCount,
    KernelKind Kind,
    LaneWidth Lanes,
    KernelLookupTable? Tables = null)
{
    /// <summary>
    /// The widest bundle the hardware runs natively, where every activation has a vector form; the
    /// lanes equal the scalar path bit for bit, so the choice changes speed only.
    /// </summary>
    public static LaneWidth WidestFor(HostNetworkView network) =>
        !VectorClosedForms.Supports(network.Layers) ? LaneWidth.Scalar
        : Vector512Pair.IsHardwareAccelerated ? LaneWidth.Two512
        : Vector256Pair.IsHardwareAccelerated ? LaneWidth.Two256
        : LaneWidth.Scalar;

    /// <summary>Maps rows [<paramref name="firstRow"/>, RowCount) of <paramref name="column"/> in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Map(int column, int firstRow)
    {
        long offset = (long)column * RowCount;
        var rowDiagonal = new HostDiagonalView(RowVariances, RowCount);
        var columnDiagonal = new HostDiagonalView(ColumnVariances, ColumnCount);
        if (Tables is not null)
        {
            var tables = new TabulatedDual<HostKernelTableView>(Tables.View);
            for (int row = firstRow; row < RowCount; row++)
            {
                Matrix[offset + row] = LayerRecursion.Entry(Network, tables, Matrix[offset + row], rowDiagonal, row, columnDiagonal, column, Kind);
            }

            return;
        }

        int tail = Lanes switch
        {
            LaneWidth.Two512 => MapBundles<Vector512Pair>(offset, firstRow, column),
            LaneWidth.Two256 => MapBundles<Vector256Pair>(offset, firstRow, column),
            _ => firstRow,
        };
        for (int row = tail; row < RowCount; row++)
        {
            Matrix[offset + row] = LayerRecursion.Entry(Network, Matrix[offset + row], rowDiagonal, row, columnDiagonal, column, Kind);
        }
    }

    /// <summary>Maps whole bundles of T.Count rows from <paramref name="firstRow"/>; returns the first row left over.</summary>
    /// <remarks>Optimised at once, not tiered: see <see cref="VectorScalarMath"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int MapBundles<T>(long offset, int firstRow, int column)
        where T : struct, ISimdLanes<T>
    {
        int row = firstRow;
        for (; row + T.Count <= RowCount; row += T.Count)
        {
            T gram = T.Load(Matrix, offset + row);
            VectorLayerRecursion.Entry(Network, gram, RowVariances, RowCount, row, ColumnVariances, ColumnCount, column, Kind).Store(Matrix, offset + row);
        }

        return row;
    }
}
