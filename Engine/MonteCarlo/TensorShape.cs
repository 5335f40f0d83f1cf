using GpuNngp.Engine.Architecture;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// What flows between the layers of a sampled network, per point: <see cref="Channels"/> values at
/// each of the <see cref="Image"/>'s pixels, or a flat vector of <see cref="Channels"/> features
/// (<see cref="Image"/> null). The points' values travel together as one column-major matrix of
/// channels × (pixel, point): element (c, p, x) at c + C·(p + P·x), so a flat input is Xᵀ and an
/// image's feature p·C + c (ImageInput's layout) is already in place.
/// </summary>
internal readonly record struct TensorShape(int Channels, SpatialShape? Image)
{
    /// <summary>P, the pixels per point (1 for a flat vector).</summary>
    public int Pixels => Image?.Pixels ?? 1;

    /// <summary>The values per point.</summary>
    public long PerPoint => (long)Channels * Pixels;

    public override string ToString() => Image is { } image ? $"{image} × {Channels} channels" : $"{Channels} features";
}
