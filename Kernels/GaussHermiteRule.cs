namespace GpuNngp.Kernels;

/// <summary>
/// Nodes and weights of the n-point Gauss–Hermite rule, rescaled so that Σ wᵢ f(zᵢ) ≈ E[f(z)] for
/// z ~ N(0, 1). Built once on the host (it allocates); the kernels only read the arrays.
/// </summary>
public sealed class GaussHermiteRule
{
    private GaussHermiteRule(double[] nodes, double[] weights)
    {
        Nodes = nodes;
        Weights = weights;
    }

    /// <summary>Above this the Hermite polynomials at the outer roots leave double range.</summary>
    public const int MaxOrder = 300;

    public double[] Nodes { get; }

    public double[] Weights { get; }

    public int Order => Nodes.Length;

    /// <summary>
    /// Roots of the physicists' Hermite polynomial H_n by Newton's method on the orthonormal
    /// recurrence (which cannot overflow), each started from the previous roots' spacing;
    /// then z = √2·x and w = w_H/√π.
    /// </summary>
    public static GaussHermiteRule Create(int order)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, MaxOrder);
        var x = new double[order];
        var w = new double[order];
        int half = (order + 1) / 2;
        double root = 0;
        for (int i = 0; i < half; i++)
        {
            // Initial guesses for the largest roots (Szegő's asymptotics), then extrapolation.
            root = i switch
            {
                0 => Math.Sqrt(2.0 * order + 1) - 1.85575 * Math.Pow(2.0 * order + 1, -1.0 / 6),
                1 => root - 1.14 * Math.Pow(order, 0.426) / root,
                2 => 1.86 * root - 0.86 * x[0],
                3 => 1.91 * root - 0.91 * x[1],
                _ => 2 * root - x[i - 2],
            };

            double derivative = 0;
            for (int iteration = 0; iteration < 100; iteration++)
            {
                (double value, derivative) = Orthonormal(order, root);
                double step = value / derivative;
                root -= step;
                if (Math.Abs(step) <= 1e-15 * Math.Max(1, Math.Abs(root)))
                {
                    break;
                }
            }

            (_, derivative) = Orthonormal(order, root);
            x[i] = root;
            x[order - 1 - i] = -root;
            w[i] = 2 / (derivative * derivative);
            w[order - 1 - i] = w[i];
        }

        var nodes = new double[order];
        var weights = new double[order];
        double invSqrtPi = 1 / Math.Sqrt(Math.PI);
        for (int i = 0; i < order; i++)
        {
            nodes[i] = Math.Sqrt(2) * x[order - 1 - i];
            weights[i] = w[order - 1 - i] * invSqrtPi;
        }

        return new GaussHermiteRule(nodes, weights);
    }

    /// <summary>The orthonormal Hermite function p_n(x) and its derivative √(2n)·p_{n−1}(x).</summary>
    private static (double Value, double Derivative) Orthonormal(int n, double x)
    {
        double p1 = Math.Pow(Math.PI, -0.25);
        double p2 = 0;
        for (int j = 1; j <= n; j++)
        {
            double p3 = p2;
            p2 = p1;
            p1 = x * Math.Sqrt(2.0 / j) * p2 - Math.Sqrt((j - 1.0) / j) * p3;
        }

        return (p1, Math.Sqrt(2.0 * n) * p2);
    }
}
