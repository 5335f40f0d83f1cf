namespace GpuNngp;

/// <summary>A dense layer of infinite width: weights ~ N(0, σw²/n_in), biases ~ N(0, σb²).</summary>
public sealed record DenseLayer(double WeightVariance, double BiasVariance) : ILayer
{
    public override string ToString() => FormattableString.Invariant($"Dense({WeightVariance:G6}, {BiasVariance:G6})");
}
