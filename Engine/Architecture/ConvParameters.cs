namespace GpuNngp.Engine.Architecture;

/// <summary>
/// A convolution of infinitely many channels (NTK parameterisation): a k_h × k_w filter, strides,
/// padding, weights N(0, σw²/fan_in) with fan_in = C·k_h·k_w, biases N(0, σb²).
/// </summary>
internal sealed record ConvParameters
{
    public ConvParameters(
        int filterHeight, int filterWidth, SpatialPadding padding, double weightVariance, double biasVariance, int strideHeight = 1, int strideWidth = 1)
    {
        if (filterHeight <= 0 || filterWidth <= 0 || strideHeight <= 0 || strideWidth <= 0)
        {
            throw new NngpInputException($"a convolution needs a positive filter and strides; got {filterHeight}×{filterWidth}, stride {strideHeight}×{strideWidth}");
        }

        if (!(weightVariance > 0) || !(biasVariance >= 0) || !double.IsFinite(weightVariance) || !double.IsFinite(biasVariance))
        {
            throw new NngpInputException(FormattableString.Invariant($"a convolution needs σw² > 0 and σb² ≥ 0, both finite; got {weightVariance}, {biasVariance}"));
        }

        FilterHeight = filterHeight;
        FilterWidth = filterWidth;
        Padding = padding;
        WeightVariance = weightVariance;
        BiasVariance = biasVariance;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
    }

    public int FilterHeight { get; }

    public int FilterWidth { get; }

    public SpatialPadding Padding { get; }

    public double WeightVariance { get; }

    public double BiasVariance { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    public override string ToString() => FormattableString.Invariant(
        $"Conv({FilterHeight}x{FilterWidth}, {Padding.ToString().ToLowerInvariant()}{(StrideHeight == 1 && StrideWidth == 1 ? "" : $", stride {StrideHeight}x{StrideWidth}")}, {WeightVariance:G6}, {BiasVariance:G6})");
}
