namespace GpuNngp.Solvers.Distributed;

/// <summary>
/// One axis (the rows or the columns) of ScaLAPACK's 2-D block-cyclic layout, source process 0:
/// <see cref="Length"/> global indices cut into blocks of <see cref="Block"/>, dealt round-robin to
/// <see cref="Processes"/> process coordinates; this process, at <see cref="Coordinate"/>, stores its
/// blocks one after another in global order. Pure arithmetic, so that it is tested without MPI.
/// </summary>
internal readonly record struct BlockCyclicAxis
{
    public BlockCyclicAxis(int length, int block, int processes, int coordinate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(processes, 1);
        if (coordinate < 0 || coordinate >= processes)
        {
            throw new ArgumentOutOfRangeException(nameof(coordinate), coordinate, $"a coordinate of {processes} processes is in [0, {processes})");
        }

        Length = length;
        Block = block;
        Processes = processes;
        Coordinate = coordinate;
        LocalLength = LocalCountBelow(length);
    }

    /// <summary>The global number of indices.</summary>
    public int Length { get; }

    /// <summary>The block size.</summary>
    public int Block { get; }

    /// <summary>The process count along this axis.</summary>
    public int Processes { get; }

    /// <summary>This process's coordinate along this axis.</summary>
    public int Coordinate { get; }

    /// <summary>How many indices this process stores (ScaLAPACK's NUMROC).</summary>
    public int LocalLength { get; }

    /// <summary>The process coordinate that owns global index <paramref name="global"/>.</summary>
    public int Owner(int global) => global / Block % Processes;

    /// <summary>Whether this process stores global index <paramref name="global"/>.</summary>
    public bool Owns(int global) => Owner(global) == Coordinate;

    /// <summary>The local position of a global index on its owner.</summary>
    public int ToLocal(int global) => global / (Block * Processes) * Block + global % Block;

    /// <summary>The global index of this process's local position <paramref name="local"/>.</summary>
    public int ToGlobal(int local) => (local / Block * Processes + Coordinate) * Block + local % Block;

    /// <summary>
    /// How many of this process's indices are below <paramref name="global"/>: the local position of
    /// the first index it stores at or after it (the first row of a local column on or below the diagonal).
    /// </summary>
    public int LocalCountBelow(int global)
    {
        long cycle = (long)Block * Processes;
        long full = global / cycle;
        long rest = global % cycle - (long)Coordinate * Block;
        return (int)(full * Block + Math.Clamp(rest, 0, Block));
    }
}
