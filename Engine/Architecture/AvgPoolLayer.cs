using GpuNngp.Engine.Architecture;

namespace GpuNngp;

/// <summary>
/// Average pooling over <see cref="WindowHeight"/> × <see cref="WindowWidth"/> windows moved by the
/// strides (by default the window: non-overlapping blocks). No weights: it applies its mean to K
/// and Θ alike (DESIGN.md §7). The parameters are checked when it is made.
/// </summary>
public sealed record AvgPoolLayer : ILayer
{
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

    public int WindowHeight { get; }

    public int WindowWidth { get; }

    public Padding Padding { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    /// <summary>e.g. "AvgPool(2×2, valid)" or "AvgPool(3×3, same, stride 1×1)".</summary>
    public override string ToString()
    {
        string stride = StrideHeight == WindowHeight && StrideWidth == WindowWidth ? "" : $", stride {StrideHeight}×{StrideWidth}";
        return $"AvgPool({WindowHeight}×{WindowWidth}, {LayerChecks.Name(Padding)}{stride})";
    }
}
