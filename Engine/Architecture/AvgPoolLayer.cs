using GpuNngp.Engine.Architecture;

namespace GpuNngp;

/// <summary>
/// Average pooling over <see cref="WindowHeight"/> × <see cref="WindowWidth"/> windows moved by the
/// strides (by default the window: non-overlapping blocks). No weights: it applies its mean to K
/// and Θ alike (docs/mathematics.md §7). The parameters are checked when it is made.
/// </summary>
public sealed record AvgPoolLayer : ILayer
{
    /// <summary>An average pooling; <see cref="Nngp.AvgPool"/> makes the same and says what each parameter means.</summary>
    /// <param name="windowHeight">The window's height in pixels, ≥ 1.</param>
    /// <param name="windowWidth">The window's width in pixels, ≥ 1.</param>
    /// <param name="padding">How the window treats the border.</param>
    /// <param name="strideHeight">The vertical stride, ≥ 1; null for the window's height.</param>
    /// <param name="strideWidth">The horizontal stride, ≥ 1; null for the window's width.</param>
    /// <exception cref="NngpInputException">A size below 1 or an undefined padding, naming the layer.</exception>
    public AvgPoolLayer(int windowHeight, int windowWidth, Padding padding = Padding.Valid, int? strideHeight = null, int? strideWidth = null)
    {
        WindowHeight = windowHeight;
        WindowWidth = windowWidth;
        Padding = padding;
        StrideHeight = strideHeight ?? windowHeight;
        StrideWidth = strideWidth ?? windowWidth;
        string name = ToString();
        LayerChecks.Positive(name, "window", windowHeight, windowWidth);
        LayerChecks.Positive(name, "stride", StrideHeight, StrideWidth);
        LayerChecks.Known(name, padding);
    }

    /// <summary>The window's height in pixels.</summary>
    public int WindowHeight { get; }

    /// <summary>The window's width in pixels.</summary>
    public int WindowWidth { get; }

    /// <summary>How the window treats the image's border.</summary>
    public Padding Padding { get; }

    /// <summary>The vertical stride in pixels (the window's height unless given).</summary>
    public int StrideHeight { get; }

    /// <summary>The horizontal stride in pixels (the window's width unless given).</summary>
    public int StrideWidth { get; }

    /// <summary>e.g. "AvgPool(2×2, valid)" or "AvgPool(3×3, same, stride 1×1)".</summary>
    public override string ToString()
    {
        string stride = StrideHeight == WindowHeight && StrideWidth == WindowWidth ? "" : $", stride {StrideHeight}×{StrideWidth}";
        return $"AvgPool({WindowHeight}×{WindowWidth}, {LayerChecks.Name(Padding)}{stride})";
    }
}
