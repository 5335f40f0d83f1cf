using System.Runtime.CompilerServices;

namespace GpuNngp.Kernels.Simd;

/// <summary>
/// <see cref="ClosedForms"/> over a bundle of lanes, for the CPU's layer map; lane for lane equal to
/// the scalar functions. Only the activations that dominate the CPU's time are here; the rest run
/// through the scalar path.
/// </summary>
internal static class VectorClosedForms
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (T F, T FDot) Evaluate<T>(Activation activation, T k12, T k11, T k22)
        where T : struct, ILaneMath<T>
    {
        switch (activation.Kind)
        {
            case ActivationKind.AbRelu:
                return AbRelu(activation.NegativeSlope, activation.PositiveSlope, k12, k11, k22);
            case ActivationKind.Erf:
                return Erf(k12, k11, k22);
            default:
                return (k12, T.Broadcast(1));
        }
    }

    /// <summary>Lane-wise <see cref="ClosedForms.AbRelu"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (T F, T FDot) AbRelu<T>(double a, double b, T k12, T k11, T k22)
        where T : struct, ILaneMath<T>
    {
        T zero = T.Broadcast(0);
        T norm = T.Sqrt(k11 * k22);
        T c = T.Select(T.GreaterThan(norm, zero), VectorScalarMath.ClampUnit(k12 / norm), zero);
        T s = VectorScalarMath.SqrtOneMinusSquare(c);
        T theta = VectorScalarMath.Acos(c, s);
        double d = a - b;
        double dd = d * d;
        T fDot = T.Broadcast(0.5 * (a * a + b * b)) - T.Broadcast(dd) * theta * T.Broadcast(InvTwoPi);
        T f = T.Broadcast(dd) * T.Broadcast(InvTwoPi) * norm * s + fDot * norm * c;
        return (f, fDot);
    }

    /// <summary>Lane-wise <see cref="ClosedForms.Erf"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (T F, T FDot) Erf<T>(T k12, T k11, T k22)
        where T : struct, ILaneMath<T>
    {
        T one = T.Broadcast(1);
        T two = T.Broadcast(2);
        T product = (one + two * k11) * (one + two * k22);
        T ratio = VectorScalarMath.ClampUnit(two * k12 / T.Sqrt(product));
        T f = T.Broadcast(2 * InvPi) * VectorScalarMath.Asin(ratio);
        T gap = product - T.Broadcast(4.0) * k12 * k12;
        T fDot = T.Broadcast(4 * InvPi) / T.Sqrt(T.Max(gap, T.Broadcast(0)));
        return (f, fDot);
    }
}
