namespace GpuNngp.Kernels;

/// <summary>
/// Nodes and weights of the n-point Gauss–Hermite rule, rescaled so that Σ wᵢ f(zᵢ) ≈ E[f(z)] for
/// z ~ N(0, 1). Built once on the host (it allocates); the kernels only read the arrays.
/// </summary>
internal sealed class GaussHermiteRule
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
    /// recurrence (which cannot overflow up to <see cref="MaxOrder"/>), each started from the
    /// previous roots' spacing; then z = √2·x and w = w_H/√π.
    /// The starting guesses alone are not enough: from order 199 on, the guess for the second root
    /// lies outside its Newton basin and every root converged to the largest one. So each Newton
    /// step is safeguarded by a bracket [lo, hi] of the wanted root, kept by the Sturm property of
    /// the recurrence (the sign changes of p₀(x), …, p_n(x) count the roots above x): a step that
    /// leaves the bracket is replaced by bisection, and a root is accepted only where the count
    /// says it is the wanted one.
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

            if (order % 2 == 1 && i == half - 1)
            {
                root = 0; // the middle root of an odd order, exactly
            }
            else
            {
                // The roots above x_i are x_0 … x_{i−1}; all roots lie below √(2n+1), and x_i > 0 here.
                double lo = 0;
                double hi = i == 0 ? Math.Sqrt(2.0 * order + 1) + 1 : x[i - 1];
                if (!(root > lo && root < hi))
                {
                    root = 0.5 * (lo + hi);
                }

                for (int iteration = 0; iteration < 200; iteration++)
                {
                    (double value, double slope, int above) = Orthonormal(order, root);
                    if (value == 0)
                    {
                        break;
                    }

                    if (above <= i)
                    {
                        hi = root;
                    }
                    else
                    {
                        lo = root;
                    }

                    double next = root - value / slope;
                    if (!(next > lo && next < hi))
                    {
                        next = 0.5 * (lo + hi);
                    }
                    else if (Math.Abs(next - root) <= 1e-15 * Math.Max(1, Math.Abs(root)) && above - i is 0 or 1)
                    {
                        root = next;
                        break;
                    }

                    if (next == root)
                    {
                        break; // the bracket has shrunk to one double
                    }

                    root = next;
                }
            }

            (_, double derivative, _) = Orthonormal(order, root);
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
            nodes[i] = Math.Sqrt(2) * x[order - 1 - i] + 0.0; // + 0.0 turns the middle −0 into +0
            weights[i] = w[order - 1 - i] * invSqrtPi;
        }

        return new GaussHermiteRule(nodes, weights);
    }

    /// <summary>
    /// The orthonormal Hermite polynomial p_n(x), its derivative √(2n)·p_{n−1}(x), and the number of
    /// roots of p_n above x: the sign changes along p₀(x), …, p_n(x) (a Sturm sequence; zeros skipped).
    /// </summary>
    private static (double Value, double Derivative, int RootsAbove) Orthonormal(int n, double x)
    {
        double p1 = Math.Pow(Math.PI, -0.25);
        double p2 = 0;
        int changes = 0;
        bool lastNegative = false;
        for (int j = 1; j <= n; j++)
        {
            double p3 = p2;
            p2 = p1;
            p1 = x * Math.Sqrt(2.0 / j) * p2 - Math.Sqrt((j - 1.0) / j) * p3;
            if (p1 != 0)
            {
                bool negative = p1 < 0;
                if (negative != lastNegative)
                {
                    changes++;
                }

                lastNegative = negative;
            }
        }

        return (p1, Math.Sqrt(2.0 * n) * p2, changes);
    }
}
