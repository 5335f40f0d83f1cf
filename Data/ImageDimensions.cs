namespace GpuNngp.Data;

/// <summary>The shape of one image, H × W pixels of C channels, as a file states it.</summary>
public readonly record struct ImageDimensions(int Height, int Width, int Channels)
{
    /// <summary>
    /// The image shape of an array whose first dimension counts the examples: N × H × W is one
    /// channel, N × H × W × C has C; any other rank (N × d rows) has none.
    /// </summary>
    public static ImageDimensions? OfArray(IReadOnlyList<int> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        return dimensions.Count switch
        {
            3 => new ImageDimensions(dimensions[1], dimensions[2], 1),
            4 => new ImageDimensions(dimensions[1], dimensions[2], dimensions[3]),
            _ => null,
        };
    }

    /// <summary>e.g. "28×28×1": height × width × channels.</summary>
    public override string ToString() => $"{Height}×{Width}×{Channels}";
}
