namespace GpuNngp.Engine.Architecture;

/// <summary>
/// The pixel grid of an image-shaped kernel (DESIGN.md §7): H × W pixels, P = H·W. Channels do not
/// appear: the input covariance already sums over them. Flat inputs have no shape.
/// </summary>
internal readonly record struct SpatialShape
{
    public SpatialShape(int height, int width)
    {
        if (height <= 0 || width <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(height), $"a spatial shape needs positive sides, got {height}×{width}");
        }

        Height = height;
        Width = width;
    }

    public int Height { get; }

    public int Width { get; }

    /// <summary>P = H·W.</summary>
    public int Pixels => Height * Width;

    public override string ToString() => $"{Height}×{Width}";
}
