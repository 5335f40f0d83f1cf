namespace GpuNngp.Kernels.Lookup;

/// <summary>Measures a table against direct quadrature away from the points it was built and checked at.</summary>
internal static class LookupTableAccuracy
{
    /// <summary>
    /// The largest errors of layer <paramref name="layer"/>'s table against direct quadrature at
    /// <paramref name="samples"/> correlations (half uniform in c ∈ [−1, 1], half uniform in θ, so
    /// the ends c = ±1 are sampled densely too; both ends themselves included), relative to F(c = 1)
    /// and Ḟ(c = 1). NaN for a layer without a table (and for Ḟ when it is not tabulated).
    /// </summary>
    public static (double ValueError, double DerivativeError) Measure<TNetwork>(
        in TNetwork network, KernelLookupTable table, int layer, int samples, int seed = 1)
        where TNetwork : struct, INetworkView
    {
        ArgumentNullException.ThrowIfNull(table);
        LookupLayer meta = table.Layers[layer];
        if (meta.Cells == 0)
        {
            return (double.NaN, double.NaN);
        }

        var view = table.View;
        double q = meta.Variance;
        bool derivative = meta.HasDerivative != 0;
        var top = DualQuadrature.Evaluate(in network, layer, q, q, q, withDerivative: true);
        double fScale = Math.Abs(top.F) > 0 ? Math.Abs(top.F) : 1;
        double dScale = Math.Abs(top.FDot) > 0 ? Math.Abs(top.FDot) : 1;
        var random = new Random(seed);
        double valueError = 0, derivativeError = 0;
        for (int i = 0; i < samples; i++)
        {
            double c = i switch
            {
                0 => 1,
                1 => -1,
                _ when i % 2 == 0 => 2 * random.NextDouble() - 1,
                _ => Math.Cos(Math.PI * random.NextDouble()),
            };
            var exact = DualQuadrature.Evaluate(in network, layer, c * q, q, q, withDerivative: derivative);
            var interpolated = KernelTableMath.Evaluate(in view, meta, c * q, q, q, derivative);
            valueError = Math.Max(valueError, Math.Abs(interpolated.F - exact.F) / fScale);
            if (derivative)
            {
                derivativeError = Math.Max(derivativeError, Math.Abs(interpolated.FDot - exact.FDot) / dScale);
            }
        }

        return (valueError, derivative ? derivativeError : double.NaN);
    }
}
