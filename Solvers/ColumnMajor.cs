namespace GpuNngp.Solvers;

/// <summary>
/// Offsets into column-major matrices, in 64 bits: every N×N and N×M offset of the CPU path goes
/// through these, so that one set of unit tests proves them past 2^31 (e.g. column 46,341 of an
/// N = 50,000 matrix) without allocating such a matrix.
/// </summary>
internal static class ColumnMajor
{
    /// <summary>The offset of (row, column) in a matrix whose leading dimension is <paramref name="rows"/>.</summary>
    public static long Index(int row, int column, int rows) => (long)column * rows + row;

    /// <summary>The offset of the first entry of <paramref name="column"/>.</summary>
    public static long ColumnStart(int column, int rows) => (long)column * rows;

    /// <summary>The number of entries of a rows×columns matrix.</summary>
    public static long Count(int rows, int columns) => (long)rows * columns;
}
