namespace GpuNngp.Kernels;

/// <summary>
/// A quadrature rule's kind and its node and weight constants, built once on the host (it
/// allocates); the views hand the arrays to the kernels. For <see cref="QuadratureMethod.GaussHermite"/>
/// the n nodes and weights are those of E[f(z)], z ~ N(0, 1); for
/// <see cref="QuadratureMethod.GradedGaussLegendre"/> they are the m-point Gauss–Legendre rule on
/// [−1, 1], applied on every panel.
/// </summary>
internal sealed class QuadratureRule
{
    private QuadratureRule(QuadratureMethod method, double[] nodes, double[] weights)
    {
        Method = method;
        Nodes = nodes;
        Weights = weights;
    }

    /// <summary>Gauss–Legendre points per panel of the default rule: 10 is within 1.5e-14 (docs/mathematics.md §4).</summary>
    public const int DefaultPointsPerPanel = 10;

    public QuadratureMethod Method { get; }

    public double[] Nodes { get; }

    public double[] Weights { get; }

    /// <summary>Gauss–Hermite nodes per dimension, or Gauss–Legendre points per panel.</summary>
    public int Order => Nodes.Length;

    /// <summary>The n-point Gauss–Hermite product rule, 1 ≤ n ≤ <see cref="GaussHermiteRule.MaxOrder"/>.</summary>
    public static QuadratureRule GaussHermite(int order)
    {
        var rule = GaussHermiteRule.Create(order);
        return new QuadratureRule(QuadratureMethod.GaussHermite, rule.Nodes, rule.Weights);
    }

    /// <summary>The graded composite Gauss–Legendre rule with <paramref name="pointsPerPanel"/> points per panel.</summary>
    public static QuadratureRule GradedGaussLegendre(int pointsPerPanel = DefaultPointsPerPanel)
    {
        var (nodes, weights) = GaussLegendreNodes.Create(pointsPerPanel);
        return new QuadratureRule(QuadratureMethod.GradedGaussLegendre, nodes, weights);
    }

    /// <summary>A description for reports: "graded Gauss–Legendre, 10 points per panel".</summary>
    public override string ToString() => Method == QuadratureMethod.GaussHermite
        ? $"Gauss–Hermite, {Order}×{Order} nodes"
        : $"graded Gauss–Legendre, {Order} points per panel";
}
