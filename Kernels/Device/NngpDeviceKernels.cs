using GpuNngp.Kernels.Lookup;
using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// The ILGPU kernels of the GPU path. Matrices are column-major with 64-bit offsets (entry (i, j) of
/// an n-row matrix at j·n + i: at n = 50,000, n² exceeds 2³¹). The map kernels call the very
/// <see cref="LayerRecursion.Entry"/> the CPU calls, so both sides run one piece of arithmetic.
/// </summary>
/// <remarks>
/// The map kernels are explicitly grouped: a group of <see cref="GroupSize"/> threads maps one tile of
/// <see cref="TileRows"/> rows and 4·passes columns. Thread t takes row t mod 64 and the columns t / 64,
/// t / 64 + 4, … (passes of them), so each pass of a warp reads 32 consecutive doubles of one column.
/// Closed forms take 16 passes (64×64 tiles, 16 entries a thread); quadrature, which costs thousands
/// of φ evaluations an entry, takes 1 pass, so a small matrix still spreads over many threads.
/// </remarks>
public static class NngpDeviceKernels
{
    /// <summary>Threads per group of the explicitly grouped kernels.</summary>
    public const int GroupSize = 256;

    /// <summary>Rows of one map tile.</summary>
    public const int TileRows = 64;

    /// <summary>Columns one pass of a group covers.</summary>
    public const int ColumnsPerPass = GroupSize / TileRows;

    /// <summary>The most passes (a 64×64 tile); the number of passes must divide it.</summary>
    public const int MaxPasses = TileRows / ColumnsPerPass;

    /// <summary>Tiles along one side of an n-row or n-column matrix.</summary>
    public static int TileCount(int extent, int tile) => (int)(((long)extent + tile - 1) / tile);

    /// <summary>Groups to launch for <see cref="MapLowerTriangle{TNetwork}"/>: the tiles on and below the diagonal.</summary>
    public static long LowerTriangleTiles(int n, int passes)
    {
        long tileRows = TileCount(n, TileRows);
        long perRowTile = MaxPasses / passes;
        return perRowTile * tileRows * (tileRows + 1) / 2;
    }

    /// <summary>Groups to launch for <see cref="MapRectangle{TNetwork}"/>.</summary>
    public static long RectangleTiles(int rows, int columns, int passes) =>
        (long)TileCount(rows, TileRows) * TileCount(columns, ColumnsPerPass * passes);

    /// <summary>
    /// The fused all-layers map over the lower triangle (diagonal included) of the n×n K⁰ in place:
    /// K ← K^{L+1} (or Θ). Row tile bi (64 rows) has 64/(4·passes)·(bi + 1) column tiles on or left of
    /// the diagonal; the groups number them row tile by row tile.
    /// </summary>
    public static void MapLowerTriangle<TNetwork>(
        ArrayView<double> matrix, int n, int passes, TNetwork network, DeviceDiagonalView diagonal, KernelKind kind)
        where TNetwork : struct, INetworkView =>
        MapLowerTriangle(matrix, n, passes, network, default(DirectDual), diagonal, kind);

    /// <summary>
    /// <see cref="MapLowerTriangle{TNetwork}"/> with F and Ḟ from the lookup tables where they cover
    /// an entry (<see cref="TabulatedDual{TTable}"/>), quadrature elsewhere.
    /// </summary>
    public static void MapLowerTriangleTabulated(
        ArrayView<double> matrix, int n, int passes, DeviceNetworkView network, DeviceKernelTableView tables, DeviceDiagonalView diagonal, KernelKind kind) =>
        MapLowerTriangle(matrix, n, passes, network, new TabulatedDual<DeviceKernelTableView>(tables), diagonal, kind);

    /// <summary>
    /// The fused map over a whole rows×columns K⁰ between two point sets (K_D*: training rows, test
    /// columns) in place. One group per tile; tile t is (t mod rowTiles, t / rowTiles).
    /// </summary>
    public static void MapRectangle<TNetwork>(
        ArrayView<double> matrix,
        int rows,
        int columns,
        int passes,
        TNetwork network,
        DeviceDiagonalView rowDiagonal,
        DeviceDiagonalView columnDiagonal,
        KernelKind kind)
        where TNetwork : struct, INetworkView =>
        MapRectangle(matrix, rows, columns, passes, network, default(DirectDual), rowDiagonal, columnDiagonal, kind);

    /// <summary><see cref="MapRectangle{TNetwork}"/> through the lookup tables where they cover an entry.</summary>
    public static void MapRectangleTabulated(
        ArrayView<double> matrix,
        int rows,
        int columns,
        int passes,
        DeviceNetworkView network,
        DeviceKernelTableView tables,
        DeviceDiagonalView rowDiagonal,
        DeviceDiagonalView columnDiagonal,
        KernelKind kind) =>
        MapRectangle(matrix, rows, columns, passes, network, new TabulatedDual<DeviceKernelTableView>(tables), rowDiagonal, columnDiagonal, kind);

    private static void MapLowerTriangle<TNetwork, TDual>(
        ArrayView<double> matrix, int n, int passes, TNetwork network, TDual dual, DeviceDiagonalView diagonal, KernelKind kind)
        where TNetwork : struct, INetworkView
        where TDual : struct, IDualEvaluator
    {
        long perRowTile = MaxPasses / passes;
        long tile = Grid.IdxX;
        long band = tile / perRowTile;
        long tileRow = (long)((Math.Sqrt(8.0 * band + 1) - 1) * 0.5);
        while (tileRow * (tileRow + 1) / 2 > band)
        {
            tileRow--;
        }

        while ((tileRow + 1) * (tileRow + 2) / 2 <= band)
        {
            tileRow++;
        }

        long tileColumn = tile - perRowTile * (tileRow * (tileRow + 1) / 2);
        int thread = Group.IdxX;
        int row = (int)(tileRow * TileRows) + thread % TileRows;
        if (row >= n)
        {
            return;
        }

        int firstColumn = (int)(tileColumn * ColumnsPerPass * passes) + thread / TileRows;
        for (int pass = 0; pass < passes; pass++)
        {
            int column = firstColumn + pass * ColumnsPerPass;
            if (column > row)
            {
                break;
            }

            long index = (long)column * n + row;
            matrix[index] = LayerRecursion.Entry(network, dual, matrix[index], diagonal, row, diagonal, column, kind);
        }
    }

    private static void MapRectangle<TNetwork, TDual>(
        ArrayView<double> matrix,
        int rows,
        int columns,
        int passes,
        TNetwork network,
        TDual dual,
        DeviceDiagonalView rowDiagonal,
        DeviceDiagonalView columnDiagonal,
        KernelKind kind)
        where TNetwork : struct, INetworkView
        where TDual : struct, IDualEvaluator
    {
        int rowTiles = TileCount(rows, TileRows);
        int tile = Grid.IdxX;
        int thread = Group.IdxX;
        int row = tile % rowTiles * TileRows + thread % TileRows;
        if (row >= rows)
        {
            return;
        }

        int firstColumn = tile / rowTiles * ColumnsPerPass * passes + thread / TileRows;
        for (int pass = 0; pass < passes; pass++)
        {
            int column = firstColumn + pass * ColumnsPerPass;
            if (column >= columns)
            {
                break;
            }

            long index = (long)column * rows + row;
            matrix[index] = LayerRecursion.Entry(network, dual, matrix[index], rowDiagonal, row, columnDiagonal, column, kind);
        }
    }

    /// <summary>
    /// Sets the diagonal of the n×n matrix to values[i] + noise + jitter (added in that order, as the CPU
    /// does). The values are the host's diagonal chain K^{L+1}(x, x) / Θ(x, x): on the diagonal the map's
    /// own result is ill-conditioned for kinked activations (the ReLU NTK's Ḟ = (π − θ)/(2π) has an
    /// infinite slope at correlation 1, so one ulp of difference between K⁰(x, x) and q⁰(x), e.g. from a
    /// fused multiply-add, moves Θ(x, x) by ~1e-8), while the chain computes it exactly at c = 1.
    /// </summary>
    public static void SetDiagonal(Index1D i, ArrayView<double> matrix, int n, ArrayView<double> values, double noise, double jitter)
    {
        long index = (long)i.X * n + i.X;
        matrix[index] = values[i] + noise + jitter;
    }

    /// <summary>Copies the diagonal of the n×n matrix into <paramref name="target"/> (n values).</summary>
    public static void CopyDiagonal(Index1D i, ArrayView<double> matrix, int n, ArrayView<double> target) =>
        target[i] = matrix[(long)i.X * n + i.X];

    /// <summary>
    /// Posterior variances of one tile: var_j = max(0, q(x*_j) − Σ_i V[i, j]²) for V = L⁻¹K_D*
    /// (n rows). One group per column; its threads stride down the column (coalesced), then a tree
    /// reduction in shared memory.
    /// </summary>
    public static void PosteriorVariance(
        ArrayView<double> solved, int n, ArrayView<double> priorVariance, ArrayView<double> variance)
    {
        var partial = SharedMemory.Allocate<double>(GroupSize);
        int column = Grid.IdxX;
        int thread = Group.IdxX;
        long offset = (long)column * n;
        double sum = 0;
        for (int i = thread; i < n; i += GroupSize)
        {
            double v = solved[offset + i];
            sum += v * v;
        }

        partial[thread] = sum;
        Group.Barrier();
        for (int stride = GroupSize / 2; stride > 0; stride /= 2)
        {
            if (thread < stride)
            {
                partial[thread] += partial[thread + stride];
            }

            Group.Barrier();
        }

        if (thread == 0)
        {
            variance[column] = Math.Max(0.0, priorVariance[column] - partial[0]);
        }
    }
}
