namespace GpuNngp.Kernels.Lookup;

/// <summary>How lookup tables are built and when they may answer.</summary>
internal sealed record LookupTableOptions
{
    /// <summary>
    /// The default error tolerance: a layer's table is kept only when, at the midpoint of every cell
    /// (where cubic interpolation errs most), it agrees with direct quadrature within this fraction of
    /// the layer's largest value (F at c = 1; Ḟ at c = 1 for the derivative).
    /// </summary>
    public const double DefaultTolerance = 1e-10;

    /// <summary>Relative error tolerance of F and Ḟ against direct quadrature (see <see cref="DefaultTolerance"/>).</summary>
    public double Tolerance { get; init; } = DefaultTolerance;

    /// <summary>
    /// The relative distance within which an entry's variances k11, k22 must lie from the variance a
    /// table was computed at for the table to answer. Standardised inputs (x·x/d = 1) share one
    /// variance to within rounding, ~1e-16; the error this admits is at most about this fraction of F.
    /// </summary>
    public double VarianceTolerance { get; init; } = 1e-12;

    /// <summary>Cells of the first, coarsest table; doubled until the tolerance is met.</summary>
    public int InitialCells { get; init; } = 64;

    /// <summary>The most cells one layer's table may have; a layer that needs more keeps quadrature.</summary>
    public int MaxCells { get; init; } = 16384;

    /// <summary>The defaults.</summary>
    public static LookupTableOptions Default { get; } = new();
}
