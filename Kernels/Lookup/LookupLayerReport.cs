namespace GpuNngp.Kernels.Lookup;

/// <summary>How one hidden layer's table came out.</summary>
/// <param name="Layer">The hidden layer, 0-based.</param>
/// <param name="Variance">The variance q_l the table was computed at (NaN for a closed-form layer).</param>
/// <param name="Cells">Cells of the table in use (0 when the layer has none).</param>
/// <param name="CheckedCells">Cells of the table whose midpoints were checked; the table in use is that one refined once by those midpoints.</param>
/// <param name="ValueError">The largest error of F at the checked midpoints, relative to F(c = 1).</param>
/// <param name="DerivativeError">The same for Ḟ, relative to Ḟ(c = 1) (NaN when Ḟ is not tabulated).</param>
/// <param name="SharedWith">The earlier layer whose table this one reuses (same activation, variance within half the variance tolerance), or −1.</param>
/// <param name="Note">Why the layer has no table, or null.</param>
internal sealed record LookupLayerReport(
    int Layer,
    double Variance,
    int Cells,
    int CheckedCells,
    double ValueError,
    double DerivativeError,
    int SharedWith,
    string? Note)
{
    /// <summary>True when the layer uses a table.</summary>
    public bool Tabulated => Cells > 0;
}
