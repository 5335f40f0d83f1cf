namespace GpuNngp.Solvers.Distributed;

/// <summary>
/// A rows×columns matrix in 2-D block-cyclic layout over a process grid, square blocks of
/// <see cref="Block"/>: this process's rows and columns (<see cref="BlockCyclicAxis"/>), its local
/// column-major array of <see cref="LocalRows"/> × <see cref="LocalColumns"/> with leading dimension
/// <see cref="LeadingDimension"/> (at least 1, as ScaLAPACK requires). A layout with more columns
/// than another of the same rows stores the common columns at the same local places, so that a
/// prefix of columns is a view of the same array.
/// </summary>
internal sealed record BlockCyclicLayout(BlockCyclicAxis RowAxis, BlockCyclicAxis ColumnAxis)
{
    /// <summary>The layout of a rows×columns matrix on a grid of gridRows × gridColumns, this process at (row, column).</summary>
    public static BlockCyclicLayout Create(int rows, int columns, int block, int gridRows, int gridColumns, int row, int column) =>
        new(new BlockCyclicAxis(rows, block, gridRows, row), new BlockCyclicAxis(columns, block, gridColumns, column));

    public int Rows => RowAxis.Length;

    public int Columns => ColumnAxis.Length;

    public int Block => RowAxis.Block;

    public int LocalRows => RowAxis.LocalLength;

    public int LocalColumns => ColumnAxis.LocalLength;

    public int LeadingDimension => Math.Max(1, LocalRows);

    /// <summary>Doubles of the local array (at least 1, so that every process passes a valid pointer).</summary>
    public long LocalCount => Math.Max(1, (long)LeadingDimension * LocalColumns);

    /// <summary>The local array's index of local entry (<paramref name="localRow"/>, <paramref name="localColumn"/>).</summary>
    public long LocalIndex(int localRow, int localColumn) => localRow + (long)localColumn * LeadingDimension;

    /// <summary>The same rows and block with <paramref name="columns"/> columns: the first columns of this layout where fewer.</summary>
    public BlockCyclicLayout WithColumns(int columns) =>
        this with { ColumnAxis = new BlockCyclicAxis(columns, ColumnAxis.Block, ColumnAxis.Processes, ColumnAxis.Coordinate) };

    /// <summary>
    /// The ScaLAPACK descriptor of this layout in BLACS <paramref name="context"/>, through DESCINIT
    /// (which checks it); the local array may hold more columns than it describes.
    /// </summary>
    public unsafe int[] Descriptor(int context)
    {
        var descriptor = new int[ScalapackNative.DescriptorLength];
        int m = Rows, n = Columns, mb = Block, nb = ColumnAxis.Block, source = 0, lld = LeadingDimension, info = 0;
        fixed (int* d = descriptor)
        {
            ScalapackNative.DescriptorInit(d, &m, &n, &mb, &nb, &source, &source, &context, &lld, &info);
        }

        if (info != 0)
        {
            throw new InvalidOperationException($"ScaLAPACK's DESCINIT refused a {m}×{n} layout of {mb}×{nb} blocks (argument {-info})");
        }

        return descriptor;
    }
}
