using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// The fused all-layers map over the lower triangle (diagonal included) of the n×n K⁰ in place:
/// K ← K^{L+1} (or Θ), through the very <see cref="LayerRecursion.Entry{TNetwork, TDual, TDiagonal}"/>
/// the CPU calls. Row tile bi (64 rows) has 64/(4·passes)·(bi + 1) column tiles on or left of the
/// diagonal; the groups number them row tile by row tile (<see cref="DeviceTiling"/>).
/// </summary>
/// <typeparam name="TNetwork">The network view: closed forms only, or with quadrature.</typeparam>
/// <typeparam name="TDual">Where F and Ḟ come from: directly, or from lookup tables where they cover an entry.</typeparam>
/// <param name="matrix">The n×n K⁰_DD, column-major; its lower triangle becomes K^{L+1} (or Θ), the upper one is left as it was.</param>
/// <param name="n">The number of points (rows and columns).</param>
/// <param name="passes">Columns a thread maps along its row, 4 apart; divides <see cref="DeviceTiling.MaxPasses"/>.</param>
/// <param name="network">The layers' variances and activations.</param>
/// <param name="dual">The source of F_φ and Ḟ_φ per entry.</param>
/// <param name="diagonal">The points' per-layer variances q_l (layer-major).</param>
/// <param name="kind">The NNGP K or the NTK Θ.</param>
internal readonly struct MapLowerTriangleKernel<TNetwork, TDual>(
    ArrayView<double> matrix,
    int n,
    int passes,
    TNetwork network,
    TDual dual,
    DeviceDiagonalView diagonal,
    KernelKind kind)
    : IGroupedDeviceKernel
    where TNetwork : struct, INetworkView
    where TDual : struct, IDualEvaluator
{
    public long Groups => DeviceTiling.MaxPasses / passes * DeviceTiling.LowerTriangleBlocks(DeviceTiling.TileCount(n, DeviceTiling.TileRows));

    public void Execute()
    {
        long perRowTile = DeviceTiling.MaxPasses / passes;
        long tile = Grid.IdxX;
        long tileRow = DeviceTiling.LowerTriangleRow(tile / perRowTile);
        long tileColumn = tile - perRowTile * DeviceTiling.LowerTriangleBlocks(tileRow);
        int thread = Group.IdxX;
        int row = (int)(tileRow * DeviceTiling.TileRows) + thread % DeviceTiling.TileRows;
        if (row >= n)
        {
            return;
        }

        int firstColumn = (int)(tileColumn * DeviceTiling.ColumnsPerPass * passes) + thread / DeviceTiling.TileRows;
        for (int pass = 0; pass < passes; pass++)
        {
            int column = firstColumn + pass * DeviceTiling.ColumnsPerPass;
            if (column > row)
            {
                break;
            }

            long index = (long)column * n + row;
            matrix[index] = LayerRecursion.Entry(in network, in dual, matrix[index], in diagonal, row, in diagonal, column, kind);
        }
    }
}
