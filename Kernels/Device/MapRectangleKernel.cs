using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// The fused all-layers map over a whole rows×columns K⁰ between two point sets (K_D*: training rows,
/// test columns) in place. One group per tile (<see cref="DeviceTiling"/>); tile t is (t mod rowTiles, t / rowTiles).
/// </summary>
/// <typeparam name="TNetwork">The network view: closed forms only, or with quadrature.</typeparam>
/// <typeparam name="TDual">Where F and Ḟ come from: directly, or from lookup tables where they cover an entry.</typeparam>
internal readonly struct MapRectangleKernel<TNetwork, TDual> : IGroupedDeviceKernel
    where TNetwork : struct, INetworkView
    where TDual : struct, IDualEvaluator
{
    private readonly ArrayView<double> _matrix;
    private readonly int _rows;
    private readonly int _columns;
    private readonly int _passes;
    private readonly TNetwork _network;
    private readonly TDual _dual;
    private readonly DeviceDiagonalView _rowDiagonal;
    private readonly DeviceDiagonalView _columnDiagonal;
    private readonly KernelKind _kind;

    /// <param name="passes">Columns a thread maps along its row, 4 apart; divides <see cref="DeviceTiling.MaxPasses"/>.</param>
    public MapRectangleKernel(
        ArrayView<double> matrix,
        int rows,
        int columns,
        int passes,
        TNetwork network,
        TDual dual,
        DeviceDiagonalView rowDiagonal,
        DeviceDiagonalView columnDiagonal,
        KernelKind kind)
    {
        _matrix = matrix;
        _rows = rows;
        _columns = columns;
        _passes = passes;
        _network = network;
        _dual = dual;
        _rowDiagonal = rowDiagonal;
        _columnDiagonal = columnDiagonal;
        _kind = kind;
    }

    public long Groups =>
        (long)DeviceTiling.TileCount(_rows, DeviceTiling.TileRows) * DeviceTiling.TileCount(_columns, DeviceTiling.ColumnsPerPass * _passes);

    public void Execute()
    {
        int rowTiles = DeviceTiling.TileCount(_rows, DeviceTiling.TileRows);
        int tile = Grid.IdxX;
        int thread = Group.IdxX;
        int row = tile % rowTiles * DeviceTiling.TileRows + thread % DeviceTiling.TileRows;
        if (row >= _rows)
        {
            return;
        }

        int firstColumn = tile / rowTiles * DeviceTiling.ColumnsPerPass * _passes + thread / DeviceTiling.TileRows;
        for (int pass = 0; pass < _passes; pass++)
        {
            int column = firstColumn + pass * DeviceTiling.ColumnsPerPass;
            if (column >= _columns)
            {
                break;
            }

            long index = (long)column * _rows + row;
            _matrix[index] = LayerRecursion.Entry(in _network, in _dual, _matrix[index], in _rowDiagonal, row, in _columnDiagonal, column, _kind);
        }
    }
}
