namespace GpuNngp.Kernels;

/// <summary>
/// 2-D Gauss–Hermite quadrature of the dual kernel for activations without a closed form:
/// u = √k11·z₁, v = √k22·(c·z₁ + √(1−c²)·z₂), z₁, z₂ ~ N(0, 1) independent.
/// Accurate for smooth φ; slow to converge at kinks, so never used where a closed form exists.
/// F and Ḟ are symmetric in (u, v) but the rule's error is not: the variable with the smaller
/// variance is always integrated outside, so that the entry for (x, x′) equals the entry for
/// (x′, x) bit for bit — otherwise K(X1, X2) and the block of K([X1; X2]) (one entry computed as
/// (row, column), the other mirrored from (column, row)) differed by the quadrature error, 4e-5 of
/// the scale for a depth-3 tanh NNGP at the default order. The smaller variance outside is also
/// the more accurate orientation (measured: up to 6× for tanh, 8× for Ḟ of swish and softplus).
/// </summary>
internal static class GaussHermiteQuadrature
{
    public static DualMoments Evaluate<TNetwork>(
        in TNetwork network, int layer, double k12, double k11, double k22, bool withDerivative)
        where TNetwork : struct, INetworkView
    {
        if (k22 < k11)
        {
            double smaller = k22;
            k22 = k11;
            k11 = smaller;
        }

        double su = Math.Sqrt(k11);
        double sv = Math.Sqrt(k22);
        double norm = su * sv;
        double c = norm > 0 ? ScalarMath.ClampUnit(k12 / norm) : 0;
        double s = ScalarMath.SqrtOneMinusSquare(c);
        int order = network.QuadratureOrder;

        double f = 0;
        double fDot = 0;
        for (int i = 0; i < order; i++)
        {
            double z1 = network.QuadratureNode(i);
            double u = su * z1;
            double phiU = network.Phi(layer, u);
            double dPhiU = withDerivative ? network.PhiDerivative(layer, u) : 0;
            double inner = 0;
            double innerDot = 0;
            for (int j = 0; j < order; j++)
            {
                double v = sv * (c * z1 + s * network.QuadratureNode(j));
                double w = network.QuadratureWeight(j);
                inner += w * network.Phi(layer, v);
                if (withDerivative)
                {
                    innerDot += w * network.PhiDerivative(layer, v);
                }
            }

            double wi = network.QuadratureWeight(i);
            f += wi * phiU * inner;
            fDot += wi * dPhiU * innerDot;
        }

        return new DualMoments(f, fDot);
    }
}
