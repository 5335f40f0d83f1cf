using System.Collections.Concurrent;
using GpuNngp.Kernels;

namespace GpuNngp.Engine.Computation;

/// <summary>Gauss–Hermite rules, built once per order and shared.</summary>
public static class QuadratureRules
{
    /// <summary>
    /// The default nodes per dimension for activations without a closed form. Measured in
    /// docs/mathematics.md: for tanh at variances 0.1–100 the 2-D rule's error against a 200-node
    /// rule is below 1e-10 relative at this order.
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
