namespace GpuNngp.Kernels.Device;

/// <summary>
/// The geometry the device kernels share. Matrices are column-major with 64-bit offsets (entry (i, j)
/// of an n-row matrix at j·n + i: at n = 50,000, n² exceeds 2³¹).
/// </summary>
/// <remarks>
/// The map kernels (<see cref="MapLowerTriangleKernel{TNetwork, TDual}"/>, <see cref="MapRectangleKernel{TNetwork, TDual}"/>)
/// are explicitly grouped: a group of <see cref="GroupSize"/> threads maps one tile of <see cref="TileRows"/>
/// rows and 4·passes columns. Thread t takes row t mod 64 and the columns t / 64, t / 64 + 4, …
/// (passes of them), so each pass of a warp reads 32 consecutive doubles of one column. Closed forms
/// take 16 passes (64×64 tiles, 16 entries a thread); quadrature, which costs thousands of φ
/// evaluations an entry, takes 1 pass, so a small matrix still spreads over many threads.
/// </remarks>
internal static class DeviceTiling
{
    /// <summary>Threads per group of every explicitly grouped kernel.</summary>
    public const int GroupSize = 256;

    /// <summary>Rows of one map tile.</summary>
    public const int TileRows = 64;

    /// <summary>Columns one pass of a group covers.</summary>
    public const int ColumnsPerPass = GroupSize / TileRows;

    /// <summary>The most passes (a 64×64 tile); the number of passes must divide it.</summary>
    public const int MaxPasses = TileRows / ColumnsPerPass;

    /// <summary>Tiles along one side of an n-row or n-column matrix.</summary>
    public static int TileCount(int extent, int tile) => (int)(((long)extent + tile - 1) / tile);

    /// <summary>Blocks on and below the diagonal of a matrix of <paramref name="blocks"/>×<paramref name="blocks"/> blocks.</summary>
    public static long LowerTriangleBlocks(long blocks) => blocks * (blocks + 1) / 2;

    /// <summary>
    /// The block row r of the <paramref name="index"/>-th block of a lower block triangle numbered row
    /// by row (row r holds blocks r(r+1)/2 … r(r+1)/2 + r): the square root's guess, corrected for its rounding.
    /// </summary>
    public static long LowerTriangleRow(long index)
    {
        long row = (long)((Math.Sqrt(8.0 * index + 1) - 1) * 0.5);
        while (LowerTriangleBlocks(row) > index)
        {
            row--;
        }

        while (LowerTriangleBlocks(row + 1) <= index)
        {
            row++;
        }

        return row;
    }
}
