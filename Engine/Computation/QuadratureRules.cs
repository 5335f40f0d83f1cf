using System.Collections.Concurrent;
using GpuNngp.Kernels;

namespace GpuNngp.Engine.Computation;

/// <summary>Gauss–Hermite rules, built once per order and shared.</summary>
public static class QuadratureRules
{
    /// <summary>
    /// The default nodes per dimension for activations without a closed form. Measured in
    /// docs/mathematics.md against an adaptive reference: at this order tanh, softplus, sigmoid and
    /// swish are within 1e-8 of the entry's scale up to pre-activation variance 1, but tanh is 4e-3
    /// off at variance 10 and 6e-2 at 100 — Gauss–Hermite converges slowly there at any order ≤ 300.
    /// </summary>
    public const int DefaultOrder = 64;

    private static readonly ConcurrentDictionary<int, GaussHermiteRule> Rules = new();

    public static GaussHermiteRule Get(int order)
    {
        if (order < 1 || order > GaussHermiteRule.MaxOrder)
        {
            throw new NngpInputException($"quadrature order must be between 1 and {GaussHermiteRule.MaxOrder}, got {order}");
        }

        return Rules.GetOrAdd(order, GaussHermiteRule.Create);
    }
}
