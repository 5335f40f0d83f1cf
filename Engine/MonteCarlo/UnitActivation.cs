using GpuNngp.Kernels;
using MathNet.Numerics;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// φ and φ' of one activation layer applied to the units of a sampled network: the closed-form
/// activations (erf, GELU) written out here, the others from <see cref="PointwiseActivation"/>, a
/// custom one through the user's delegates.
/// </summary>
internal sealed class UnitActivation
{
    private static readonly double TwoOverSqrtPi = 2 / Math.Sqrt(Math.PI);
    private static readonly double InvSqrtTwoPi = 1 / Math.Sqrt(2 * Math.PI);

    private readonly ActivationLayer _layer;

    public UnitActivation(ActivationLayer layer) => _layer = layer;

    /// <summary>True when φ' is known (a custom activation without a derivative has none: no NTK).</summary>
    public bool HasDerivative => !_layer.IsCustom || _layer.CustomDerivative is not null;

    public string Name => _layer.Name;

    public double Value(double x) => _layer.Activation.Kind switch
    {
        ActivationKind.Custom => _layer.CustomValue!(x),
        ActivationKind.Erf => SpecialFunctions.Erf(x),
        ActivationKind.Gelu => x * NormalCdf(x),
        _ => PointwiseActivation.Value(_layer.Activation, x),
    };

    public double Derivative(double x) => _layer.Activation.Kind switch
    {
        ActivationKind.Custom => _layer.CustomDerivative!(x),
        ActivationKind.Erf => TwoOverSqrtPi * Math.Exp(-x * x),
        ActivationKind.Gelu => NormalCdf(x) + x * Math.Exp(-0.5 * x * x) * InvSqrtTwoPi,
        _ => PointwiseActivation.Derivative(_layer.Activation, x),
    };

    private static double NormalCdf(double x) => 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2));
}
