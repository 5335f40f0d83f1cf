using System.Collections.Concurrent;
using GpuNngp.Kernels;

namespace GpuNngp.Engine.Computation;

/// <summary>
/// The quadrature rules a fit may ask for by "order", built once and shared: 0 (the default) is
/// the graded composite Gauss–Legendre rule, accurate to ≤ 1e-13 of the entry's scale at every
/// pre-activation variance up to 100; 1 … 300 is the Gauss–Hermite product rule of that order, an
/// explicit opt-in that is cheaper but accurate to 1e-10 only at small variances (docs/mathematics.md §4).
/// </summary>
internal static class QuadratureRules
{
    /// <summary>The order that selects the accurate graded Gauss–Legendre rule.</summary>
    public const int Accurate = 0;

    /// <summary>The default: <see cref="Accurate"/>.</summary>
    public const int DefaultOrder = Accurate;

    private static readonly ConcurrentDictionary<int, QuadratureRule> Rules = new();

    /// <summary>The rule for <paramref name="order"/>: <see cref="Accurate"/>, or a Gauss–Hermite order 1 … 300.</summary>
    public static QuadratureRule Get(int order)
    {
        if (order < 0 || order > GaussHermiteRule.MaxOrder)
        {
            throw new NngpInputException(
                $"quadrature order must be 0 (the accurate default) or a Gauss–Hermite order between 1 and {GaussHermiteRule.MaxOrder}, got {order}");
        }

        return Rules.GetOrAdd(order, o => o == Accurate ? QuadratureRule.GradedGaussLegendre() : QuadratureRule.GaussHermite(o));
    }
}
