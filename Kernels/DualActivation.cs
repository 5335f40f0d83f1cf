using System.Runtime.CompilerServices;

namespace GpuNngp.Kernels;

/// <summary>Chooses the closed form of a layer's activation, or quadrature where it has none.</summary>
internal static class DualActivation
{
    /// <summary>F and Ḟ of hidden layer <paramref name="layer"/>, whose activation is <paramref name="activation"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DualMoments Evaluate<TNetwork>(
        in TNetwork network, Activation activation, int layer, double k12, double k11, double k22, bool withDerivative)
        where TNetwork : struct, INetworkView
    {
        switch (activation.Kind)
        {
            case ActivationKind.Identity:
                return ClosedForms.Identity(k12);
            case ActivationKind.AbRelu:
                return ClosedForms.AbRelu(activation.NegativeSlope, activation.PositiveSlope, k12, k11, k22);
            case ActivationKind.Erf:
                return ClosedForms.Erf(k12, k11, k22);
            case ActivationKind.Gelu:
                return ClosedForms.Gelu(k12, k11, k22);
            default:
                return DualQuadrature.Evaluate(in network, layer, k12, k11, k22, withDerivative);
        }
    }
}
