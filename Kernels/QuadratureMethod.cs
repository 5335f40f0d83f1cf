namespace GpuNngp.Kernels;

/// <summary>The rule that integrates the dual kernel of an activation without a closed form.</summary>
internal enum QuadratureMethod
{
    /// <summary>No rule: every activation of the network has a closed form.</summary>
    None = 0,

    /// <summary>
    /// The default: composite Gauss–Legendre on panels graded towards the activation's features,
    /// with the nodes scaled to the variance (<see cref="GradedGaussLegendreQuadrature"/>); within
    /// 1e-13 of the entry's scale at every variance up to 100 (docs/mathematics.md §4).
    /// </summary>
    GradedGaussLegendre = 1,

    /// <summary>
    /// The 2-D Gauss–Hermite product rule (<see cref="GaussHermiteQuadrature"/>), an explicit opt-in:
    /// fewer evaluations, but off by up to 6e-2 at variance 100 for every order up to 300.
    /// </summary>
    GaussHermite = 2,
}
