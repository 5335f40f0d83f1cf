namespace GpuNngp;

/// <summary>Which infinite-width kernel to produce.</summary>
public enum KernelKind
{
    /// <summary>
    /// The NNGP kernel K: the prior covariance of the infinitely wide network's outputs, so the GP
    /// posterior is exact Bayesian inference with that network (docs/mathematics.md §1).
    /// </summary>
    Nngp = 0,

    /// <summary>
    /// The neural tangent kernel Θ (NTK parameterisation): Θ¹ = K¹, Θ^{l+1} = K^{l+1} + σw²·Ḟ_φ(K^l)·Θ^l.
    /// With noise 0 the posterior mean Θ_*D·Θ_DD⁻¹·Y is the mean prediction of infinitely wide networks
    /// trained by gradient descent on the squared loss to convergence; the variance stays the GP's,
    /// not that of the trained ensemble.
    /// </summary>
    Ntk = 1,
}
