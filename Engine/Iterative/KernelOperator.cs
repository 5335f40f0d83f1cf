using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.Iterative;

/// <summary>
/// The products V ↦ A·V, A = K_DD + σε²I, for a block of right-hand sides V (N × columns, column-major
/// host memory), made block by block of K_DD's columns on the provider: for each block J, the rows J of
/// A·V are K(D, J)ᵀ·V (the provider's gemm, FP64). The diagonal is then put right on the host in FP64:
/// whatever the blocks held at (i, i) is replaced by the exact prior K(x_i, x_i) plus the noise.
/// Storage (recomputed or FP32) is the subclass's. The blocks are those of this process's points
/// (<see cref="TrainingTiles.Rows"/>): its rows of A·V, the rest gathered from the other ranks.
/// </summary>
internal abstract class KernelOperator : IDisposable
{
    private ProviderBuffer? _vectors;
    private ProviderBuffer? _rows;
    private double[] _rowsHost = [];

    protected KernelOperator(IComputeProvider provider, TrainingTiles tiles, double noise)
    {
        Provider = provider;
        Tiles = tiles;
        Noise = noise;
    }

    protected IComputeProvider Provider { get; }

    protected TrainingTiles Tiles { get; }

    /// <summary>N, the order of A.</summary>
    public int N => Tiles.N;

    /// <summary>The rows this process computes, and how the others reach it.</summary>
    public RowPartition Rows => Tiles.Rows;

    /// <summary>σε² on the diagonal.</summary>
    public double Noise { get; }

    /// <summary>Products made so far (each a pass over all of K_DD).</summary>
    public int Products { get; private set; }

    /// <summary><paramref name="result"/> = A·<paramref name="v"/>, both N × <paramref name="columns"/> column-major; cancellable between blocks.</summary>
    public void Apply(double[] v, int columns, double[] result, CancellationToken cancellationToken)
    {
        int n = N;
        long size = (long)n * columns;
        if (_vectors is null || _vectors.Length < size)
        {
            _vectors?.Dispose();
            _vectors = Provider.Allocate(size, "the PCG directions");
        }

        if (TryMultiplyOnHost(v, columns, result, cancellationToken))
        {
            AddExactDiagonal(v, columns, result);
            Tiles.Rows.Gather(result, columns);
            return;
        }

        Provider.CopyIn(_vectors, v.AsSpan(0, checked((int)size)));
        ProviderBuffer vectors = _vectors;
        ForEachBlock(
            (start, count, block) =>
            {
                long rows = (long)count * columns;
                if (_rows is null || _rows.Length < rows)
                {
                    _rows?.Dispose();
                    _rows = Provider.Allocate(Math.Max(rows, (long)Tiles.Width * columns), "rows of the product");
                    _rowsHost = new double[_rows.Length];
                }

                Provider.Multiply(true, false, count, columns, n, 1, block, vectors, 0, _rows);
                Span<double> host = _rowsHost.AsSpan(0, (int)rows);
                Provider.CopyOut(_rows, 0, host);
                for (int c = 0; c < columns; c++)
                {
                    host.Slice(c * count, count).CopyTo(result.AsSpan((c * n) + start, count));
                }
            },
            cancellationToken);

        AddExactDiagonal(v, columns, result);
        Tiles.Rows.Gather(result, columns);
    }

    /// <summary>Replaces what the blocks held at (i, i) by the exact prior diagonal plus the noise in this process's rows, and counts the product.</summary>
    private void AddExactDiagonal(double[] v, int columns, double[] result)
    {
        int n = N, first = Tiles.Rows.Start, last = first + Tiles.Rows.Count;
        ReadOnlySpan<double> held = BlockDiagonal;
        ReadOnlySpan<double> prior = Tiles.PriorDiagonal;
        for (int c = 0; c < columns; c++)
        {
            int offset = c * n;
            for (int i = first; i < last; i++)
            {
                double exact = prior[i] + Noise - (held.IsEmpty ? 0 : held[i]);
                result[offset + i] += exact * v[offset + i];
            }
        }

        Products++;
    }

    /// <summary>
    /// The off-diagonal product K·V straight from host storage into <paramref name="result"/> where a
    /// storage can (the CPU's FP32 kernel); false leaves it to <see cref="ForEachBlock"/> on the provider.
    /// </summary>
    protected virtual bool TryMultiplyOnHost(double[] v, int columns, double[] result, CancellationToken cancellationToken) => false;

    /// <summary>Calls <paramref name="product"/> with every block of K_DD's columns (first point, point count, the N × count block on the provider).</summary>
    protected abstract void ForEachBlock(Action<int, int, ProviderBuffer> product, CancellationToken cancellationToken);

    /// <summary>What the blocks hold at (i, i), which the product replaces by the exact diagonal; empty for zero.</summary>
    protected abstract ReadOnlySpan<double> BlockDiagonal { get; }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _vectors?.Dispose();
            _rows?.Dispose();
        }
    }
}
