namespace GpuNngp.Kernels;

/// <summary>Nodes and weights of the m-point Gauss–Legendre rule on [−1, 1].</summary>
internal static class GaussLegendreNodes
{
    /// <summary>Above this the rule is never needed: 10 points per panel reach rounding level.</summary>
    public const int MaxPoints = 64;

    /// <summary>
    /// The roots of the Legendre polynomial P_m by Newton's method from Tricomi's estimate
    /// cos(π(i + 3/4)/(m + 1/2)), which lies within the root's basin for every m; weights
    /// 2/((1 − x²)·P_m′(x)²). Nodes increasing, exactly antisymmetric.
    /// </summary>
    public static (double[] Nodes, double[] Weights) Create(int points)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(points, MaxPoints);
        var nodes = new double[points];
        var weights = new double[points];
        for (int i = 0; i < (points + 1) / 2; i++)
        {
            double x = Math.Cos(Math.PI * (i + 0.75) / (points + 0.5));
            double derivative = 0;
            for (int iteration = 0; iteration < 100; iteration++)
            {
                (double value, double slope) = Legendre(points, x);
                derivative = slope;
                double step = value / slope;
                x -= step;
                if (Math.Abs(step) <= 1e-16)
                {
                    break;
                }
            }

            (_, derivative) = Legendre(points, x);
            if (points % 2 == 1 && i == points / 2)
            {
                x = 0;
                (_, derivative) = Legendre(points, 0);
            }

            double w = 2 / ((1 - x * x) * derivative * derivative);
            nodes[points - 1 - i] = x;
            nodes[i] = -x + 0.0; // + 0.0 turns the middle −0 into +0
            weights[i] = w;
            weights[points - 1 - i] = w;
        }

        return (nodes, weights);
    }

    /// <summary>P_m(x) and P_m′(x) by the three-term recurrence.</summary>
    private static (double Value, double Derivative) Legendre(int m, double x)
    {
        double p0 = 1, p1 = x;
        if (m == 0)
        {
            return (1, 0);
        }

        for (int k = 2; k <= m; k++)
        {
            double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
            p0 = p1;
            p1 = p2;
        }

        return (p1, m * (x * p1 - p0) / (x * x - 1));
    }
}
