namespace GpuNngp.Kernels;

/// <summary>
/// F(k12, k11, k22) = E[φ(u)φ(v)] with its three partial derivatives: ∂F/∂k12 = Ḟ (Price's theorem)
/// and ∂F/∂k11, ∂F/∂k22, which carry a change of the points' own variances into the layer after.
/// </summary>
internal readonly record struct DualPartials(double F, double ByCovariance, double ByRowVariance, double ByColumnVariance)
{
    /// <summary>True where <see cref="Evaluate"/> has closed forms: the identity, the ReLU family (a·min(x, 0) + b·max(x, 0)) and erf.</summary>
    public static bool Supports(Activation activation) =>
        activation.Kind is ActivationKind.Identity or ActivationKind.AbRelu or ActivationKind.Erf;

    /// <summary>
    /// F and its partials in closed form. The ReLU family is positively homogeneous,
    /// F = √(k11k22)·J(c) with c = k12/√(k11k22), so ∂F/∂k11 = (F − k12·Ḟ)/(2k11). For erf,
    /// with r = 2k12/√((1+2k11)(1+2k22)): ∂F/∂k11 = −Ḟ·k12/(1 + 2k11). The derivation is in docs/mathematics.md.
    /// </summary>
    /// <exception cref="ArgumentException">An activation <see cref="Supports"/> refuses.</exception>
    public static DualPartials Evaluate(Activation activation, double k12, double k11, double k22)
    {
        if (activation.Kind == ActivationKind.Identity)
        {
            return new DualPartials(k12, 1, 0, 0);
        }

        if (activation.Kind == ActivationKind.AbRelu)
        {
            DualMoments m = ClosedForms.AbRelu(activation.NegativeSlope, activation.PositiveSlope, k12, k11, k22);
            double rest = m.F - k12 * m.FDot;
            return new DualPartials(m.F, m.FDot, k11 > 0 ? rest / (2 * k11) : 0, k22 > 0 ? rest / (2 * k22) : 0);
        }

        if (activation.Kind == ActivationKind.Erf)
        {
            DualMoments m = ClosedForms.Erf(k12, k11, k22);
            return new DualPartials(m.F, m.FDot, -m.FDot * k12 / (1 + 2 * k11), -m.FDot * k12 / (1 + 2 * k22));
        }

        throw new ArgumentException($"activation {activation.Kind} has no closed-form derivatives of its dual kernel", nameof(activation));
    }
}
