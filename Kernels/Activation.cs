using System.Runtime.InteropServices;

namespace GpuNngp.Kernels;

/// <summary>
/// One activation as plain data (blittable, so it can be copied to the device): its kind and,
/// for <see cref="ActivationKind.AbRelu"/>, the negative and positive slopes.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct Activation : IEquatable<Activation>
{
    public Activation(ActivationKind kind, double negativeSlope = 0, double positiveSlope = 0)
    {
        Kind = kind;
        NegativeSlope = negativeSlope;
        PositiveSlope = positiveSlope;
    }

    public ActivationKind Kind { get; }

    /// <summary>a in φ(x) = a·min(x, 0) + b·max(x, 0).</summary>
    public double NegativeSlope { get; }

    /// <summary>b in φ(x) = a·min(x, 0) + b·max(x, 0).</summary>
    public double PositiveSlope { get; }

    public static Activation Identity => new(ActivationKind.Identity);

    public static Activation Relu => new(ActivationKind.AbRelu, 0, 1);

    public static Activation Abs => new(ActivationKind.AbRelu, -1, 1);

    public static Activation LeakyRelu(double alpha) => new(ActivationKind.AbRelu, alpha, 1);

    public static Activation Erf => new(ActivationKind.Erf);

    public static Activation Gelu => new(ActivationKind.Gelu);

    public static Activation Tanh => new(ActivationKind.Tanh);

    public static Activation Softplus => new(ActivationKind.Softplus);

    public static Activation Sigmoid => new(ActivationKind.Sigmoid);

    public static Activation Swish => new(ActivationKind.Swish);

    /// <summary>True where the dual kernel has a closed form; quadrature is never used for these.</summary>
    public bool HasClosedForm => Kind is ActivationKind.Identity or ActivationKind.AbRelu
        or ActivationKind.Erf or ActivationKind.Gelu;

    public bool Equals(Activation other) =>
        Kind == other.Kind && NegativeSlope.Equals(other.NegativeSlope) && PositiveSlope.Equals(other.PositiveSlope);

    public override bool Equals(object? obj) => obj is Activation other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, NegativeSlope, PositiveSlope);

    public static bool operator ==(Activation left, Activation right) => left.Equals(right);

    public static bool operator !=(Activation left, Activation right) => !left.Equals(right);
}
