using System.Runtime.CompilerServices;

namespace GpuNngp.Kernels;

/// <summary>F and Ḟ of an activation without a closed form by the network's quadrature rule.</summary>
internal static class DualQuadrature
{
    /// <summary>
    /// <see cref="GradedGaussLegendreQuadrature"/> by default, <see cref="GaussHermiteQuadrature"/>
    /// where the network's rule is the Gauss–Hermite opt-in.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DualMoments Evaluate<TNetwork>(
        in TNetwork network, int layer, double k12, double k11, double k22, bool withDerivative)
        where TNetwork : struct, INetworkView =>
        network.Quadrature == QuadratureMethod.GaussHermite
            ? GaussHermiteQuadrature.Evaluate(in network, layer, k12, k11, k22, withDerivative)
            : GradedGaussLegendreQuadrature.Evaluate(in network, layer, k12, k11, k22, withDerivative);
}
