using System.Runtime.Intrinsics;

namespace GpuNngp.Kernels.Simd;

/// <summary>
/// <see cref="ClosedForms"/> four entries at a time, for the CPU's layer map; lane for lane equal to
/// the scalar functions. Only the activations that dominate the CPU's time are here; the rest run
/// through the scalar path.
/// </summary>
public static class VectorClosedForms
{
    private const double InvTwoPi = 1 / (2 * Math.PI);
    private const double InvPi = 1 / Math.PI;

    /// <summary>True when every hidden layer's activation has a vector form here.</summary>
    public static bool Supports(IReadOnlyList<HiddenLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return layers.All(l => l.Activation.Kind is ActivationKind.AbRelu or ActivationKind.Identity or ActivationKind.Erf);
    }

    /// <summary>F and Ḟ of <paramref name="activation"/> (one of the kinds <see cref="Supports"/> accepts).</summary>
    public static (Vector256<double> F, Vector256<double> FDot) Evaluate(
        Activation activation, Vector256<double> k12, Vector256<double> k11, Vector256<double> k22)
    {
        switch (activation.Kind)
        {
            case ActivationKind.AbRelu:
                return AbRelu(activation.NegativeSlope, activation.PositiveSlope, k12, k11, k22);
            case ActivationKind.Erf:
                return Erf(k12, k11, k22);
            default:
                return (k12, Vector256.Create(1.0));
        }
    }

    /// <summary>Lane-wise <see cref="ClosedForms.AbRelu"/>.</summary>
    public static (Vector256<double> F, Vector256<double> FDot) AbRelu(
        double a, double b, Vector256<double> k12, Vector256<double> k11, Vector256<double> k22)
    {
        Vector256<double> norm = Vector256.Sqrt(k11 * k22);
        Vector256<double> c = Vector256.ConditionalSelect(
            Vector256.GreaterThan(norm, Vector256<double>.Zero), VectorScalarMath.ClampUnit(k12 / norm), Vector256<double>.Zero);
        Vector256<double> s = VectorScalarMath.SqrtOneMinusSquare(c);
        Vector256<double> theta = VectorScalarMath.Acos(c, s);
        double d = a - b;
        double dd = d * d;
        Vector256<double> fDot = Vector256.Create(0.5 * (a * a + b * b)) - dd * theta * InvTwoPi;
        Vector256<double> f = dd * InvTwoPi * norm * s + fDot * norm * c;
        return (f, fDot);
    }

    /// <summary>Lane-wise <see cref="ClosedForms.Erf"/>.</summary>
    public static (Vector256<double> F, Vector256<double> FDot) Erf(
        Vector256<double> k12, Vector256<double> k11, Vector256<double> k22)
    {
        Vector256<double> one = Vector256.Create(1.0);
        Vector256<double> two = Vector256.Create(2.0);
        Vector256<double> product = (one + two * k11) * (one + two * k22);
        Vector256<double> ratio = VectorScalarMath.ClampUnit(two * k12 / Vector256.Sqrt(product));
        Vector256<double> f = Vector256.Create(2 * InvPi) * VectorScalarMath.Asin(ratio);
        Vector256<double> gap = product - Vector256.Create(4.0) * k12 * k12;
        Vector256<double> fDot = Vector256.Create(4 * InvPi) / Vector256.Sqrt(Vector256.Max(gap, Vector256<double>.Zero));
        return (f, fDot);
    }
}
