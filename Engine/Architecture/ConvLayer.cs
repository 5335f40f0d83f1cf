using System.Globalization;
using GpuNngp.Engine.Architecture;

namespace GpuNngp;

/// <summary>
/// A 2-D convolution of infinitely many channels (DESIGN.md §7): filter
/// <see cref="FilterHeight"/> × <see cref="FilterWidth"/>, weights ~ N(0, σw²/fan_in) with
/// fan_in = channels·k_h·k_w, biases ~ N(0, σb²). The parameters are checked when it is made.
/// </summary>
public sealed record ConvLayer : ILayer
{
    public ConvLayer(int filterHeight, int filterWidth, double weightVariance, double biasVariance, Padding padding = Padding.Same, int strideHeight = 1, int strideWidth = 1)
    {
        FilterHeight = filterHeight;
        FilterWidth = filterWidth;
        WeightVariance = weightVariance;
        BiasVariance = biasVariance;
        Padding = padding;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        string name = ToString();
        LayerChecks.Positive(name, "filter", filterHeight, filterWidth);
        LayerChecks.Positive(name, "stride", strideHeight, strideWidth);
        LayerChecks.Known(name, padding);
        LayerChecks.Variances(name, weightVariance, biasVariance);
    }

    public int FilterHeight { get; }

    public int FilterWidth { get; }

    public double WeightVariance { get; }

    public double BiasVariance { get; }

    public Padding Padding { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    /// <summary>e.g. "Conv(3×3, same, 2, 0)" or "Conv(3×3, valid, 1.6, 0.1, stride 2×2)".</summary>
    public override string ToString()
    {
        string stride = StrideHeight == 1 && StrideWidth == 1 ? "" : $", stride {StrideHeight}×{StrideWidth}";
        return string.Create(CultureInfo.InvariantCulture,
            $"Conv({FilterHeight}×{FilterWidth}, {LayerChecks.Name(Padding)}, {WeightVariance:G6}, {BiasVariance:G6}{stride})");
    }
}
