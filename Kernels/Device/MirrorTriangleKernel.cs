using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>Which strict triangle of a symmetric matrix <see cref="MirrorTriangleKernel"/> copies onto the other.</summary>
internal enum MirrorDirection
{
    /// <summary>A[j, i] = A[i, j] for i &gt; j: makes the matrix whole from the lower triangle BLAS/LAPACK write.</summary>
    LowerToUpper,

    /// <summary>A[i, j] = A[j, i] for i &gt; j: restores the lower triangle from a backup kept in the upper one.</summary>
    UpperToLower,
}

/// <summary>
/// Copies one strict triangle of the column-major n×n matrix onto the other, leaving the diagonal
/// alone (as <c>SymmetricTriangles</c> on the host). A transpose through shared memory: the group of
/// the block pair (bi, bj), bi ≥ bj, of <see cref="Side"/>×<see cref="Side"/> blocks reads its source
/// block down the columns and writes the destination block down the columns, so both the reads and
/// the writes of a warp are 32 consecutive doubles. A diagonal block is its own source: the group
/// reads all of it before the barrier and writes only the target triangle after it.
/// </summary>
internal readonly struct MirrorTriangleKernel(ArrayView<double> matrix, int n, MirrorDirection direction) : IGroupedDeviceKernel
{
    /// <summary>Rows and columns of one block.</summary>
    public const int Side = 32;

    /// <summary>Block columns a group covers at once.</summary>
    private const int ColumnsPerPass = DeviceTiling.GroupSize / Side;

    /// <summary>The shared tile's column stride: one more than <see cref="Side"/>, so the transposed reads hit distinct banks.</summary>
    private const int Stride = Side + 1;

    public long Groups => DeviceTiling.LowerTriangleBlocks(DeviceTiling.TileCount(n, Side));

    public void Execute()
    {
        var tile = SharedMemory.Allocate<double>(Side * Stride);
        long pair = Grid.IdxX;
        long lowerRow = DeviceTiling.LowerTriangleRow(pair);
        long lowerColumn = pair - DeviceTiling.LowerTriangleBlocks(lowerRow);
        bool toUpper = direction == MirrorDirection.LowerToUpper;
        long sourceFirstRow = (toUpper ? lowerRow : lowerColumn) * Side;
        long sourceFirstColumn = (toUpper ? lowerColumn : lowerRow) * Side;
        int x = Group.IdxX % Side;
        int y = Group.IdxX / Side;

        // tile[c, r] = source entry (sourceFirstRow + r, sourceFirstColumn + c).
        for (int c = y; c < Side; c += ColumnsPerPass)
        {
            long row = sourceFirstRow + x, column = sourceFirstColumn + c;
            if (row < n && column < n)
            {
                tile[c * Stride + x] = matrix[column * n + row];
            }
        }

        Group.Barrier();

        // Destination entry (sourceFirstColumn + x, sourceFirstRow + c) = source entry (sourceFirstRow + c, sourceFirstColumn + x).
        for (int c = y; c < Side; c += ColumnsPerPass)
        {
            long row = sourceFirstColumn + x, column = sourceFirstRow + c;
            bool inTarget = toUpper ? row < column : row > column;
            if (inTarget && row < n && column < n)
            {
                matrix[column * n + row] = tile[x * Stride + c];
            }
        }
    }
}
