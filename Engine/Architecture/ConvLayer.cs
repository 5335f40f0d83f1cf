using System.Globalization;
using GpuNngp.Engine.Architecture;

namespace GpuNngp;

/// <summary>
/// A 2-D convolution of infinitely many channels (docs/mathematics.md §7): filter
/// <see cref="FilterHeight"/> × <see cref="FilterWidth"/>, weights ~ N(0, σw²/fan_in) with
/// fan_in = channels·k_h·k_w, biases ~ N(0, σb²). The parameters are checked when it is made.
/// </summary>
public sealed record ConvLayer : ILayer
{
    /// <summary>A convolution; <see cref="Nngp.Conv"/> makes the same and says what each parameter means.</summary>
    /// <param name="filterHeight">k_h, ≥ 1.</param>
    /// <param name="filterWidth">k_w, ≥ 1.</param>
    /// <param name="weightVariance">σw², finite and ≥ 0.</param>
    /// <param name="biasVariance">σb², finite and ≥ 0.</param>
    /// <param name="padding">How the window treats the border.</param>
    /// <param name="strideHeight">The vertical stride, ≥ 1.</param>
    /// <param name="strideWidth">The horizontal stride, ≥ 1.</param>
    /// <exception cref="NngpInputException">A size below 1, an undefined padding or a variance that is negative or not finite, naming the layer.</exception>
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

    /// <summary>k_h, the filter's height in pixels.</summary>
    public int FilterHeight { get; }

    /// <summary>k_w, the filter's width in pixels.</summary>
    public int FilterWidth { get; }

    /// <summary>σw²: each weight ~ N(0, σw²/fan_in), fan_in = channels·k_h·k_w.</summary>
    public double WeightVariance { get; }

    /// <summary>σb²: each bias ~ N(0, σb²).</summary>
    public double BiasVariance { get; }

    /// <summary>How the window treats the image's border.</summary>
    public Padding Padding { get; }

    /// <summary>The vertical stride in pixels.</summary>
    public int StrideHeight { get; }

    /// <summary>The horizontal stride in pixels.</summary>
    public int StrideWidth { get; }

    /// <summary>e.g. "Conv(3×3, same, 2, 0)" or "Conv(3×3, valid, 1.6, 0.1, stride 2×2)".</summary>
    public override string ToString()
    {
        string stride = StrideHeight == 1 && StrideWidth == 1 ? "" : $", stride {StrideHeight}×{StrideWidth}";
        return string.Create(CultureInfo.InvariantCulture,
            $"Conv({FilterHeight}×{FilterWidth}, {LayerChecks.Name(Padding)}, {WeightVariance:G6}, {BiasVariance:G6}{stride})");
    }
}
