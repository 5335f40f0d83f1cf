namespace GpuNngp.Kernels;

/// <summary>
/// φ and φ′ of a built-in activation at one pre-activation, for the units of a sampled finite network:
/// allocation-free, so the same code runs in the host's loops and inside ILGPU kernels (erf and GELU
/// through <see cref="ScalarErf"/>, the others through <see cref="PointwiseActivation"/>). A custom
/// activation is a managed delegate and has no form here.
/// </summary>
internal static class UnitFunctions
{
    private const double InvSqrtTwoPi = 0.3989422804014327;
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double InvSqrtTwo = 0.7071067811865476;

    public static double Value(Activation activation, double x)
    {
        if (activation.Kind == ActivationKind.Erf)
        {
            return ScalarErf.Erf(x);
        }

        if (activation.Kind == ActivationKind.Gelu)
        {
            return x * NormalCdf(x);
        }

        return PointwiseActivation.Value(activation, x);
    }

    public static double Derivative(Activation activation, double x)
    {
        if (activation.Kind == ActivationKind.Erf)
        {
            return TwoOverSqrtPi * Math.Exp(-x * x);
        }

        if (activation.Kind == ActivationKind.Gelu)
        {
            return NormalCdf(x) + x * Math.Exp(-0.5 * x * x) * InvSqrtTwoPi;
        }

        return PointwiseActivation.Derivative(activation, x);
    }

    /// <summary>Φ(x) = erfc(−x/√2)/2, accurate in relative terms for negative x too.</summary>
    private static double NormalCdf(double x) => 0.5 * ScalarErf.Erfc(-x * InvSqrtTwo);
}
