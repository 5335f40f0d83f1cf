using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// Adds a weighted layer's parameters' share of the tangent kernel to the N × N sum: with g = ∂f/∂z
/// (C_out × P·N) and A the layer's input or im2col matrix (K × P·N), ⟨∂f(x)/∂W, ∂f(x′)/∂W⟩ =
/// σw²/K·Σ_{p,q} (gᵀg)·(AᵀA) and ⟨∂f(x)/∂b, ∂f(x′)/∂b⟩ = σb²·Σ_{p,q} gᵀg, the sums over the output
/// positions p of x and q of x′ (a shared filter sees them all). The two Gram matrices are gemms of
/// the provider over tiles of T points, (P·T)² ≤ <see cref="TileEntries"/> entries each, so a
/// 28 × 28 image's P² = 614,656 pixel pairs per point pair never need an N² P² matrix; a tile's
/// columns of g and A are contiguous, copied into scratch when the tile is not all the points.
/// </summary>
internal sealed class GradientContraction : IDisposable
{
    /// <summary>The largest Gram tile, 2²² entries (32 MiB).</summary>
    public const long TileEntries = 1L << 22;

    private readonly SampledOperations _operations;
    private readonly ProviderBuffer _sum;
    private readonly int _points;
    private readonly ProviderBuffer? _gradientGram, _inputGram, _rowGradient, _columnGradient, _rowInput, _columnInput;

    /// <param name="operations">The provider's operations the gemms and the contraction run on.</param>
    /// <param name="sum">The N × N kernel sum the shares are added to.</param>
    /// <param name="points">N.</param>
    /// <param name="maxPixels">The most output pixels of a weighted layer.</param>
    /// <param name="rows">The most rows of a weighted layer's g and A.</param>
    public GradientContraction(SampledOperations operations, ProviderBuffer sum, int points, int maxPixels, (long Gradient, long Input) rows)
    {
        _operations = operations;
        _sum = sum;
        _points = points;
        var (gram, columns) = Scratch(maxPixels, points);
        IComputeProvider provider = operations.Provider;
        _gradientGram = provider.Allocate(gram, "Monte Carlo gradient Gram tile");
        _inputGram = provider.Allocate(gram, "Monte Carlo input Gram tile");
        if (columns > 0)
        {
            _rowGradient = provider.Allocate(rows.Gradient * columns, "Monte Carlo gradient tile");
            _columnGradient = provider.Allocate(rows.Gradient * columns, "Monte Carlo gradient tile");
            _rowInput = provider.Allocate(rows.Input * columns, "Monte Carlo input tile");
            _columnInput = provider.Allocate(rows.Input * columns, "Monte Carlo input tile");
        }
    }

    /// <summary>The doubles the scratch takes (for the memory check).</summary>
    public static long Doubles(int points, int maxPixels, (long Gradient, long Input) rows)
    {
        var (gram, columns) = Scratch(maxPixels, points);
        return 2 * gram + 2 * (rows.Gradient + rows.Input) * columns;
    }

    /// <summary>
    /// The Gram tiles' entries and the tile copies' columns (0: no copies, one tile holds every point):
    /// any layer's tile has P·T ≤ max(√TileEntries, P_max) columns.
    /// </summary>
    private static (long Gram, long Columns) Scratch(int maxPixels, int points)
    {
        if (Tile(maxPixels, points) >= points)
        {
            return ((long)maxPixels * points * maxPixels * points, 0);
        }

        long columns = Math.Max((long)Math.Sqrt(TileEntries), maxPixels);
        return (columns * columns, columns);
    }

    /// <summary>T, the points per tile: all of them when (P·N)² fits a tile, else as many as fit (at least one).</summary>
    private static int Tile(int pixels, int points) =>
        (long)pixels * points * pixels * points <= TileEntries ? points : Math.Max(1, (int)(Math.Sqrt(TileEntries) / pixels));

    /// <summary>sum += σw²/K·Σ(gᵀg ⊙ AᵀA) + σb²·Σ gᵀg, blockwise over the points' P × P pixel blocks (<paramref name="weightScale"/> = σw²/K, <paramref name="bias"/> = σb²).</summary>
    public void Add(ProviderBuffer g, int gradientRows, ProviderBuffer a, int inputRows, int pixels, double weightScale, double bias, CancellationToken cancellationToken)
    {
        IComputeProvider provider = _operations.Provider;
        int tile = Tile(pixels, _points);
        for (int rowStart = 0; rowStart < _points; rowStart += tile)
        {
            int rowCount = Math.Min(tile, _points - rowStart);
            for (int columnStart = 0; columnStart < _points; columnStart += tile)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int columnCount = Math.Min(tile, _points - columnStart);
                var (rowG, columnG) = Tiles(g, gradientRows, pixels, rowStart, rowCount, columnStart, columnCount, tile < _points, _rowGradient, _columnGradient);
                var (rowA, columnA) = Tiles(a, inputRows, pixels, rowStart, rowCount, columnStart, columnCount, tile < _points, _rowInput, _columnInput);
                int m = pixels * rowCount, n = pixels * columnCount;
                provider.Multiply(true, false, m, n, gradientRows, 1, rowG, columnG, 0, _gradientGram!, cancellationToken);
                provider.Multiply(true, false, m, n, inputRows, 1, rowA, columnA, 0, _inputGram!, cancellationToken);
                _operations.Contract(_sum, _gradientGram!, _inputGram!, pixels, rowStart, rowCount, columnStart, columnCount, _points, weightScale, bias);
            }
        }
    }

    /// <summary>The columns of the row tile's and the column tile's points: the matrix itself when one tile holds every point, else copies.</summary>
    private (ProviderBuffer Row, ProviderBuffer Column) Tiles(
        ProviderBuffer matrix, int rows, int pixels, int rowStart, int rowCount, int columnStart, int columnCount, bool tiled, ProviderBuffer? rowScratch, ProviderBuffer? columnScratch)
    {
        if (!tiled)
        {
            return (matrix, matrix);
        }

        long perPoint = (long)rows * pixels;
        _operations.Provider.Copy(matrix, perPoint * rowStart, rowScratch!, 0, perPoint * rowCount);
        _operations.Provider.Copy(matrix, perPoint * columnStart, columnScratch!, 0, perPoint * columnCount);
        return (rowScratch!, columnScratch!);
    }

    public void Dispose()
    {
        foreach (var buffer in new[] { _gradientGram, _inputGram, _rowGradient, _columnGradient, _rowInput, _columnInput })
        {
            buffer?.Dispose();
        }
    }
}
