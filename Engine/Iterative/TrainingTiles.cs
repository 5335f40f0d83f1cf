using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Iterative;

/// <summary>
/// The training kernel K_DD as column tiles K(D, J) (N × |J|, J a run of training points) made on the
/// provider by the fit's own <see cref="IKernelSource"/> — the very test-tile path of the dense
/// posterior, with the training points as the "test" points — so that no N×N buffer ever exists.
/// The tiles' diagonal entries come from the off-diagonal formula (c computed, not exactly 1); the
/// operators built on these tiles replace them by the exact prior diagonal (<see cref="PriorDiagonal"/>)
/// through <see cref="TileDiagonal"/>, read once. The tiles cover the points this process owns
/// (<see cref="Rows"/>: all of them on one process, a contiguous share on an MPI rank).
/// </summary>
internal sealed class TrainingTiles : IDisposable
{
    /// <summary>Bytes of one FP64 tile on the provider: about 64 MiB (at least one column).</summary>
    private const long TileBytes = 64L << 20;

    private readonly IComputeProvider _provider;
    private readonly IKernelSource _source;
    private readonly double[] _x;
    private readonly int _dimension;
    private readonly ParallelOptions _parallelism;
    private readonly ProviderBuffer _inputs;
    private double[]? _tileDiagonal;

    public TrainingTiles(IComputeProvider provider, IKernelSource source, double[] xColumnMajor, int n, int dimension, ParallelOptions parallelism, RowPartition rows)
    {
        Rows = rows;
        _provider = provider;
        _source = source;
        _x = xColumnMajor;
        N = n;
        _dimension = dimension;
        _parallelism = parallelism;
        Width = (int)Math.Clamp(TileBytes / sizeof(double) / n, 1, Math.Max(1, rows.Count));
        _inputs = provider.Allocate((long)Width * dimension, "the inputs of a kernel tile");
        PriorDiagonal = source.TrainDiagonal;
    }

    /// <summary>The points whose tiles this process builds, and how the other rows reach it.</summary>
    public RowPartition Rows { get; }

    /// <summary>N, the training points.</summary>
    public int N { get; }

    /// <summary>Training points per tile (the last tile may be shorter).</summary>
    public int Width { get; }

    /// <summary>The number of tiles (of this process's points).</summary>
    public int Count => (Rows.Count + Width - 1) / Width;

    /// <summary>K(x_i, x_i) of every training point, the exact per-point chain (the source's, prepared before).</summary>
    public double[] PriorDiagonal { get; }

    /// <summary>The tiles' own entries (i, i), which products correct to <see cref="PriorDiagonal"/>; null before the first pass ends.</summary>
    public double[]? TileDiagonal => _tileDiagonal;

    /// <summary>The first point of tile <paramref name="tile"/> and its point count.</summary>
    public (int Start, int Count) Range(int tile)
    {
        int start = tile * Width;
        return (Rows.Start + start, Math.Min(Width, Rows.Count - start));
    }

    /// <summary>The column-major inputs (count × d) of training points [start, start + count).</summary>
    public double[] Inputs(int start, int count)
    {
        var inputs = new double[(long)count * _dimension];
        for (int j = 0; j < _dimension; j++)
        {
            Array.Copy(_x, ((long)j * N) + start, inputs, (long)j * count, count);
        }

        return inputs;
    }

    /// <summary>
    /// K(D, J) into <paramref name="tile"/> (N × count) for J = [start, start + count); where
    /// <paramref name="record"/> (the first pass), the tile's own diagonal entries are read back.
    /// </summary>
    public void Build(int start, int count, ProviderBuffer tile, bool record)
    {
        _parallelism.CancellationToken.ThrowIfCancellationRequested();
        double[] inputs = Inputs(start, count);
        _provider.CopyIn(_inputs, inputs);
        _source.BuildCross(tile, _inputs, inputs, start, count, null, _parallelism);
        if (record)
        {
            _tileDiagonal ??= new double[N];
            Span<double> entry = stackalloc double[1];
            for (int t = 0; t < count; t++)
            {
                _provider.CopyOut(tile, ColumnMajor.Index(start + t, t, N), entry);
                _tileDiagonal[start + t] = entry[0];
            }
        }
    }

    /// <summary>Kernel column K(D, x_p) into <paramref name="column"/> (N × 1), its entry p the exact prior diagonal.</summary>
    public void Column(int p, ProviderBuffer column)
    {
        double[] inputs = Inputs(p, 1);
        _provider.CopyIn(_inputs, inputs);
        _source.BuildCross(column, _inputs, inputs, p, 1, null, _parallelism);
        using var exact = _provider.Upload([PriorDiagonal[p]], "a diagonal entry");
        _provider.Copy(exact, 0, column, p, 1);
    }

    public void Dispose() => _inputs.Dispose();
}
