namespace GpuNngp.Engine.Spatial;

/// <summary>How a spatial covariance becomes one number per pair (DESIGN.md §7).</summary>
internal enum SliceReadout
{
    /// <summary>(1/P)·Σ_i K_ii: the diagonal slice only.</summary>
    Flatten,

    /// <summary>(1/P²)·Σ_ij K_ij: every slice.</summary>
    GlobalAvgPool,
}
