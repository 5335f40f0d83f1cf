namespace GpuNngp;

/// <summary>
/// A dense layer of infinite width: weights ~ N(0, σw²/n_in), biases ~ N(0, σb²), so it maps the
/// kernel K to σb² + σw²·K. Made by <see cref="Nngp.Dense"/>; its variances are checked when the
/// network is (they must be finite and ≥ 0).
/// </summary>
/// <param name="WeightVariance">σw², the variance of each weight times the fan-in.</param>
/// <param name="BiasVariance">σb², the variance of each bias.</param>
public sealed record DenseLayer(double WeightVariance, double BiasVariance) : ILayer
{
    /// <summary>e.g. "Dense(1.45, 0.28)": σw² then σb².</summary>
    public override string ToString() => FormattableString.Invariant($"Dense({WeightVariance:G6}, {BiasVariance:G6})");
}
