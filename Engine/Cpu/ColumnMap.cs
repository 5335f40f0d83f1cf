using System.Runtime.CompilerServices;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Kernels.Simd;
using GpuNngp.Solvers;

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
/// else whole bundles of SIMD lanes, then the scalar tail. The matrix is addressed by pointer (native
/// memory, or a pinned array) with 64-bit column offsets, one column span at a time.
/// </summary>
/// <remarks>The pointer must stay valid (the buffer alive, the array pinned) for every call of <see cref="Map"/>.</remarks>
internal readonly unsafe struct ColumnMap(
    HostNetworkView network,
    double* matrix,
    double[] rowVariances,
    int rowCount,
    double[] columnVariances,
    int columnCount,
    KernelKind kind,
    LaneWidth lanes,
    KernelLookupTable? tables = null)
{
    private readonly HostNetworkView _network = network;
    private readonly double* _matrix = matrix;
    private readonly double[] _rowVariances = rowVariances;
    private readonly int _rowCount = rowCount;
    private readonly double[] _columnVariances = columnVariances;
    private readonly int _columnCount = columnCount;
    private readonly KernelKind _kind = kind;
    private readonly LaneWidth _lanes = lanes;
    private readonly KernelLookupTable? _tables = tables;

    /// <summary>
    /// The widest bundle the hardware runs natively, where every activation has a vector form; the
    /// lanes equal the scalar path bit for bit, so the choice changes speed only.
    /// </summary>
    public static LaneWidth WidestFor(HostNetworkView network) =>
        !VectorClosedForms.Supports(network.Layers) ? LaneWidth.Scalar
        : Vector512Pair.IsHardwareAccelerated ? LaneWidth.Two512
        : Vector256Pair.IsHardwareAccelerated ? LaneWidth.Two256
        : LaneWidth.Scalar;

    /// <summary>The length of a column.</summary>
    public int RowCount => _rowCount;

    /// <summary>Column <paramref name="column"/> of the matrix: RowCount values from its 64-bit offset.</summary>
    public Span<double> Column(int column) => new(_matrix + ColumnMajor.ColumnStart(column, _rowCount), _rowCount);

    /// <summary>Maps rows [<paramref name="firstRow"/>, RowCount) of <paramref name="column"/> in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Map(int column, int firstRow)
    {
        Span<double> entries = Column(column);
        var rowDiagonal = new HostDiagonalView(_rowVariances, _rowCount);
        var columnDiagonal = new HostDiagonalView(_columnVariances, _columnCount);
        if (_tables is not null)
        {
            var tables = new TabulatedDual<HostKernelTableView>(_tables.View);
            for (int row = firstRow; row < entries.Length; row++)
            {
                entries[row] = LayerRecursion.Entry(_network, tables, entries[row], rowDiagonal, row, columnDiagonal, column, _kind);
            }

            return;
        }

        int tail = _lanes switch
        {
            LaneWidth.Two512 => MapBundles<Vector512Pair>(entries, firstRow, column),
            LaneWidth.Two256 => MapBundles<Vector256Pair>(entries, firstRow, column),
            _ => firstRow,
        };
        for (int row = tail; row < entries.Length; row++)
        {
            entries[row] = LayerRecursion.Entry(_network, entries[row], rowDiagonal, row, columnDiagonal, column, _kind);
        }
    }

    /// <summary>Maps whole bundles of T.Count rows from <paramref name="firstRow"/>; returns the first row left over.</summary>
    /// <remarks>Optimised at once, not tiered: see <see cref="VectorScalarMath"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int MapBundles<T>(Span<double> entries, int firstRow, int column)
        where T : struct, ISimdLanes<T>
    {
        int row = firstRow;
        for (; row + T.Count <= entries.Length; row += T.Count)
        {
            T gram = T.LoadSpan(entries, row);
            VectorLayerRecursion.Entry(_network, gram, _rowVariances, _rowCount, row, _columnVariances, _columnCount, column, _kind).StoreSpan(entries, row);
        }

        return row;
    }
}
