using System.Globalization;
using GpuNngp.Solvers.Distributed;

namespace GpuNngp.Engine.Distributed;

/// <summary>
/// The BLACS process grid of an MPI job: the P ranks of MPI_COMM_WORLD as the squarest
/// <see cref="Rows"/> × <see cref="Columns"/> grid (rows ≤ columns, row-major), this rank at
/// (<see cref="Row"/>, <see cref="Column"/>), and the square block size of every layout on it.
/// </summary>
internal sealed unsafe class ProcessGrid
{
    /// <summary>The environment variable that sets the block size (default <see cref="DefaultBlock"/>).</summary>
    public const string BlockVariable = "GPUNNGP_SCALAPACK_BLOCK";

    /// <summary>ScaLAPACK's usual block: large enough for BLAS 3 speed, small enough to balance the ranks.</summary>
    public const int DefaultBlock = 64;

    private ProcessGrid(int context, int rows, int columns, int row, int column, int block)
    {
        Context = context;
        Rows = rows;
        Columns = columns;
        Row = row;
        Column = column;
        Block = block;
    }

    /// <summary>The BLACS context.</summary>
    public int Context { get; }

    public int Rows { get; }

    public int Columns { get; }

    public int Row { get; }

    public int Column { get; }

    public int Block { get; }

    /// <summary>The squarest factorisation rows × columns = <paramref name="processes"/>, rows ≤ columns.</summary>
    public static (int Rows, int Columns) Shape(int processes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(processes, 1);
        int rows = (int)Math.Sqrt(processes);
        while (processes % rows != 0)
        {
            rows--;
        }

        return (rows, processes / rows);
    }

    /// <summary>The block size from <see cref="BlockVariable"/>, or the default; a value that is not a positive integer is refused.</summary>
    public static int BlockFromEnvironment()
    {
        string? text = Environment.GetEnvironmentVariable(BlockVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultBlock;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int block) && block >= 1
            ? block
            : throw new NngpInputException($"{BlockVariable} = '{text}': the ScaLAPACK block size is a positive integer");
    }

    /// <summary>The grid over every rank of <paramref name="session"/> (collective: every rank calls it).</summary>
    public static ProcessGrid Create(MpiSession session, int block)
    {
        ArgumentNullException.ThrowIfNull(session);
        var (rows, columns) = Shape(session.Size);
        int context = 0, gridRows = 0, gridColumns = 0, row = 0, column = 0;
        session.Agree(null);
        ScalapackNative.BlacsGet(-1, 0, &context);
        byte order = (byte)'R';
        ScalapackNative.BlacsGridInit(&context, &order, rows, columns);
        ScalapackNative.BlacsGridInfo(context, &gridRows, &gridColumns, &row, &column);
        if (gridRows != rows || gridColumns != columns || row < 0 || column < 0)
        {
            throw new NngpDeviceException($"BLACS did not make the {rows} × {columns} grid of {session.Size} ranks (it reports {gridRows} × {gridColumns}, this rank at ({row}, {column}))");
        }

        return new ProcessGrid(context, rows, columns, row, column, block);
    }

    /// <summary>
    /// The same grid without BLACS (context −1), for the GPU ranks, whose solver is cuSOLVERMp's:
    /// <see cref="Coordinates"/> of this rank on the row-major grid, which is how BLACS's "Row" order and
    /// CUSOLVERMP_GRID_MAPPING_ROW_MAJOR both place ranks.
    /// </summary>
    public static ProcessGrid WithoutBlacs(int rank, int processes, int block)
    {
        var (rows, columns) = Shape(processes);
        var (row, column) = Coordinates(rank, columns);
        return new ProcessGrid(-1, rows, columns, row, column, block);
    }

    /// <summary>Rank <paramref name="rank"/>'s (row, column) on a row-major grid of <paramref name="columns"/> columns.</summary>
    public static (int Row, int Column) Coordinates(int rank, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        return (rank / columns, rank % columns);
    }

    /// <summary>This rank's layout of a rows×columns matrix.</summary>
    public BlockCyclicLayout Layout(int rows, int columns) => BlockCyclicLayout.Create(rows, columns, Block, Rows, Columns, Row, Column);

    /// <summary>
    /// Refuses N training points too few for every rank to hold a block of the N×N kernel: the grid
    /// needs N ≥ block · max(rows, columns). The same on every rank, so that all refuse alike.
    /// </summary>
    public void CheckFits(int n)
    {
        long needed = (long)Block * Math.Max(Rows, Columns);
        if (n < needed)
        {
            throw new NngpInputException(string.Create(CultureInfo.InvariantCulture,
                $"device = DeviceKind.Distributed: P = {Rows * Columns} ranks make a {Rows} × {Columns} process grid of {Block} × {Block} blocks, which needs N ≥ {needed} training points so that every rank holds a block of K_DD; got N = {n}: use fewer ranks (or a smaller {BlockVariable})"));
        }
    }

    /// <summary>"2 × 2 grid of 64 × 64 blocks".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Rows} × {Columns} grid of {Block} × {Block} blocks");
}
