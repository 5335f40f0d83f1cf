namespace GpuNngp.Engine.Pipeline;

/// <summary>How much of the posterior a prediction computes: each level adds work to the one before.</summary>
internal enum PredictionDetail
{
    /// <summary>The mean K_*D·α alone.</summary>
    Mean,

    /// <summary>The mean and the per-point variances q(x*) − ‖L⁻¹K_D*‖².</summary>
    Variance,

    /// <summary>The mean, the variances and the whole M×M covariance K_** − (L⁻¹K_D*)ᵀ(L⁻¹K_D*).</summary>
    Covariance,
}
