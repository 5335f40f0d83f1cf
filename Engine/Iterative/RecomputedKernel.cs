using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.Iterative;

/// <summary>
/// K_DD recomputed tile by tile (input Gram, layer map) at every product: FP64 throughout, one tile of
/// memory, each product the cost of building the whole kernel once. The first pass reads the tiles'
/// own diagonal entries, which the products replace by the exact diagonal.
/// </summary>
internal sealed class RecomputedKernel : KernelOperator
{
    private readonly ProviderBuffer _tile;

    public RecomputedKernel(IComputeProvider provider, TrainingTiles tiles, double noise)
        : base(provider, tiles, noise) =>
        _tile = provider.Allocate((long)tiles.N * tiles.Width, "a tile of K_DD");

    protected override ReadOnlySpan<double> BlockDiagonal => Tiles.TileDiagonal;

    protected override void ForEachBlock(Action<int, int, ProviderBuffer> product, CancellationToken cancellationToken)
    {
        bool first = Tiles.TileDiagonal is null;
        for (int t = 0; t < Tiles.Count; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (start, count) = Tiles.Range(t);
            Tiles.Build(start, count, _tile, record: first);
            product(start, count, _tile);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tile.Dispose();
        }

        base.Dispose(disposing);
    }
}
