using System.Runtime.CompilerServices;

namespace GpuNngp.Kernels;

/// <summary>
/// Closed-form dual kernels F(k12, k11, k22) = E[φ(u)φ(v)] and Ḟ = E[φ'(u)φ'(v)] for
/// (u, v) ~ N(0, [[k11, k12], [k12, k22]]). Allocation-free and branch-light: the CPU loops and the
/// ILGPU kernels call these same functions.
/// </summary>
internal static class ClosedForms
{
    private const double InvTwoPi = 1 / (2 * Math.PI);
    private const double InvPi = 1 / Math.PI;

    /// <summary>
    /// φ(x) = a·min(x, 0) + b·max(x, 0), from the arc-cosine kernel (Cho &amp; Saul 2009):
    /// F = (a−b)²/(2π)·√(k11k22 − k12²) + Ḟ·k12,  Ḟ = (a² + b²)/2 − (a−b)²θ/(2π),  θ = arccos c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DualMoments AbRelu(double a, double b, double k12, double k11, double k22)
    {
        double norm = Math.Sqrt(k11 * k22);
        double c = norm > 0 ? ScalarMath.ClampUnit(k12 / norm) : 0;
        double s = ScalarMath.SqrtOneMinusSquare(c);
        double theta = ScalarMath.Acos(c, s);
        double d = a - b;
        double fDot = 0.5 * (a * a + b * b) - d * d * theta * InvTwoPi;
        double f = d * d * InvTwoPi * norm * s + fDot * norm * c;
        return new DualMoments(f, fDot);
    }

    /// <summary>φ = erf: F = (2/π)·arcsin(2k12/√((1+2k11)(1+2k22))), Ḟ = (4/π)/√((1+2k11)(1+2k22) − 4k12²).</summary>
    public static DualMoments Erf(double k12, double k11, double k22)
    {
        double product = (1 + 2 * k11) * (1 + 2 * k22);
        double ratio = ScalarMath.ClampUnit(2 * k12 / Math.Sqrt(product));
        double f = 2 * InvPi * ScalarMath.Asin(ratio);
        double gap = product - 4 * k12 * k12;
        double fDot = 4 * InvPi / Math.Sqrt(gap > 0 ? gap : 0);
        return new DualMoments(f, fDot);
    }

    /// <summary>φ(x) = x: F = k12, Ḟ = 1.</summary>
    public static DualMoments Identity(double k12) => new(k12, 1);

    /// <summary>
    /// φ(x) = x·Φ(x). Writing Φ(u) = P(z ≤ u) with an independent z ~ N(0, 1) and integrating by
    /// parts (Stein's lemma) twice gives, with D = √((1+k11)(1+k22) − k12²) and
    /// ρ = k12/√((1+k11)(1+k22)):
    /// F = k11(k22(1+k11) − k12²)/(2π(1+k11)D) + k12²/(2π(1+k22)D) + k12/4 + k12·arcsin(ρ)/(2π).
    /// Ḟ = ∂F/∂k12 (Price's theorem). The derivation is in docs/mathematics.md; both are tested
    /// against quadrature.
    /// </summary>
    public static DualMoments Gelu(double k12, double k11, double k22)
    {
        double a1 = 1 + k11;
        double b1 = 1 + k22;
        double s2 = a1 * b1;
        double det = s2 - k12 * k12;
        double d = Math.Sqrt(det > 0 ? det : 0);
        double rho = ScalarMath.ClampUnit(k12 / Math.Sqrt(s2));
        double asinRho = ScalarMath.Asin(rho);

        double first = k11 * (k22 * a1 - k12 * k12) / (a1 * d);
        double second = k12 * k12 / (b1 * d);
        double f = InvTwoPi * (first + second) + 0.25 * k12 + InvTwoPi * k12 * asinRho;

        double d3 = d * d * d;
        double dFirst = k11 / a1 * (-2 * k12 / d + (k22 * a1 - k12 * k12) * k12 / d3);
        double dSecond = (2 * k12 / d + k12 * k12 * k12 / d3) / b1;
        double fDot = InvTwoPi * (dFirst + dSecond) + 0.25 + InvTwoPi * (asinRho + k12 / d);
        return new DualMoments(f, fDot);
    }
}
