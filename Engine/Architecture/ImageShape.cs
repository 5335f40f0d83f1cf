namespace GpuNngp.Engine.Architecture;

/// <summary>The shape of each input image, H × W pixels of C channels (an (N, H, W, C) array's last three axes).</summary>
internal readonly record struct ImageShape
{
    public ImageShape(int height, int width, int channels)
    {
        if (height <= 0 || width <= 0 || channels <= 0)
        {
            throw new NngpInputException($"an image needs positive height, width and channels; got {height}×{width}×{channels}");
        }

        Height = height;
        Width = width;
        Channels = channels;
    }

    public int Height { get; }

    public int Width { get; }

    public int Channels { get; }

    /// <summary>The pixel grid the kernel record carries.</summary>
    public SpatialShape Pixels => new(Height, Width);

    /// <summary>Values per image, H·W·C.</summary>
    public int Features => Height * Width * Channels;

    /// <summary>The one-line refusal of rows that are not images of this shape: <paramref name="what"/> names the set.</summary>
    public void CheckFeatures(int features, string what)
    {
        if (features != Features)
        {
            throw new NngpInputException($"the {what} have {features} features per row but images of {this} have {Features}");
        }
    }

    public override string ToString() => $"{Height}×{Width}×{Channels}";
}
