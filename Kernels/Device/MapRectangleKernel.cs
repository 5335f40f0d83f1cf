using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// The fused all-layers map over a whole rows×columns K⁰ between two point sets (K_D*: training rows,
/// test columns) in place. One group per tile (<see cref="DeviceTiling"/>); tile t is (t mod rowTiles, t / rowTiles).
/// </summary>
/// <typeparam name="TNetwork">The network view: closed forms only, or with quadrature.</typeparam>
/// <typeparam name="TDual">Where F and Ḟ come from: directly, or from lookup tables where they cover an entry.</typeparam>
/// <param name="matrix">The rows×columns K⁰ between the two sets, column-major, replaced by K^{L+1} (or Θ).</param>
/// <param name="rows">The points of the first set (the training points).</param>
/// <param name="columns">The points of the second set (the test points).</param>
/// <param name="passes">Columns a thread maps along its row, 4 apart; divides <see cref="DeviceTiling.MaxPasses"/>.</param>
/// <param name="network">The layers' variances and activations.</param>
/// <param name="dual">The source of F_φ and Ḟ_φ per entry.</param>
/// <param name="rowDiagonal">The row points' per-layer variances q_l (layer-major).</param>
/// <param name="columnDiagonal">The column points' per-layer variances q_l.</param>
/// <param name="kind">The NNGP K or the NTK Θ.</param>
internal readonly struct MapRectangleKernel<TNetwork, TDual>(
    ArrayView<double> matrix,
    int rows,
    int columns,
    int passes,
    TNetwork network,
    TDual dual,
    DeviceDiagonalView rowDiagonal,
    DeviceDiagonalView columnDiagonal,
    KernelKind kind)
    : IGroupedDeviceKernel
    where TNetwork : struct, INetworkView
    where TDual : struct, IDualEvaluator
{
    public long Groups =>
        (long)DeviceTiling.TileCount(rows, DeviceTiling.TileRows) * DeviceTiling.TileCount(columns, DeviceTiling.ColumnsPerPass * passes);

    public void Execute()
    {
        int rowTiles = DeviceTiling.TileCount(rows, DeviceTiling.TileRows);
        int tile = Grid.IdxX;
        int thread = Group.IdxX;
        int row = tile % rowTiles * DeviceTiling.TileRows + thread % DeviceTiling.TileRows;
        if (row >= rows)
        {
            return;
        }

        int firstColumn = tile / rowTiles * DeviceTiling.ColumnsPerPass * passes + thread / DeviceTiling.TileRows;
        for (int pass = 0; pass < passes; pass++)
        {
            int column = firstColumn + pass * DeviceTiling.ColumnsPerPass;
            if (column >= columns)
            {
                break;
            }

            long index = (long)column * rows + row;
            matrix[index] = LayerRecursion.Entry(in network, in dual, matrix[index], in rowDiagonal, row, in columnDiagonal, column, kind);
        }
    }
}
