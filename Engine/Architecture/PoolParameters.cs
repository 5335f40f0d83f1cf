namespace GpuNngp.Engine.Architecture;

/// <summary>
/// An average pooling window of h × w pixels with strides (by default the window itself, as in
/// Neural Tangents' <c>stax.AvgPool</c>) and padding (by default valid, as there).
/// </summary>
internal sealed record PoolParameters
{
    public PoolParameters(int windowHeight, int windowWidth, SpatialPadding padding = SpatialPadding.Valid, int? strideHeight = null, int? strideWidth = null)
    {
        StrideHeight = strideHeight ?? windowHeight;
        StrideWidth = strideWidth ?? windowWidth;
        if (windowHeight <= 0 || windowWidth <= 0 || StrideHeight <= 0 || StrideWidth <= 0)
        {
            throw new NngpInputException($"a pooling window needs positive sides and strides; got {windowHeight}×{windowWidth}, stride {StrideHeight}×{StrideWidth}");
        }

        WindowHeight = windowHeight;
        WindowWidth = windowWidth;
        Padding = padding;
    }

    public int WindowHeight { get; }

    public int WindowWidth { get; }

    public SpatialPadding Padding { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    public override string ToString() =>
        $"AvgPool({WindowHeight}x{WindowWidth}, {Padding.ToString().ToLowerInvariant()}{(StrideHeight == WindowHeight && StrideWidth == WindowWidth ? "" : $", stride {StrideHeight}x{StrideWidth}")})";
}
