namespace GpuNngp.Engine.Tests.Kernels;

/// <summary>
/// An independent reference for E[f(u)·g(v)], (u, v) ~ N(0, [[k11, k12], [k12, k22]]): iterated
/// adaptive Gauss–Kronrod (G7/K15) in the variables where the activations are smooth.
/// <para>
/// Gauss–Hermite in z = u/√k11 (what the engine does) must resolve φ(√k11·z), whose features
/// (the kink of ReLU, the step of erf and tanh) shrink to width 1/√k11: at variance 100 even 300
/// nodes leave errors of 1e-3. Here the outer integral runs over s = u/√k11 on panels graded
/// geometrically towards s = 0 (width 1/√k11 there), and the inner one over v | u ~ N(βu, σ²),
/// graded towards v = 0; each panel is bisected until |K15 − G7| is below the tolerance. Checked
/// against the closed forms (ReLU, Abs, LeakyReLU, erf, GELU) at 1e-13 for variances 0.1–100 and
/// |c| ≤ 0.999.
/// </para>
/// </summary>
internal static class GaussianExpectation
{
    /// <summary>Both integrals cover ±12 standard deviations: the Gaussian tail beyond is 4e-33.</summary>
    private const double Range = 12;

    private static readonly double[] KronrodNodes =
    [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
        0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0.0,
    ];

    private static readonly double[] KronrodWeights =
    [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
        0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
    ];

    private static readonly double[] GaussWeights =
    [
        0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
        0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
    ];

    private static readonly double InvSqrtTwoPi = 1 / Math.Sqrt(2 * Math.PI);

    /// <summary>E[f(u)·g(v)] for |k12| &lt; √(k11·k22), to about <paramref name="relativeTolerance"/>·E|f(u)|·E|g(v)|.</summary>
    public static double Expect(
        Func<double, double> f, Func<double, double> g, double k12, double k11, double k22, double relativeTolerance = 1e-14)
    {
        double su = Math.Sqrt(k11);
        double sv = Math.Sqrt(k22);
        double beta = k12 / k11;
        double conditional = Math.Sqrt(k22 - k12 * k12 / k11);
        if (!(conditional > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(k12), "the reference needs |c| < 1");
        }

        // Absolute floors: where the answer cancels (an odd φ at c = 0) or g is rounding noise
        // (1 − tanh² in the tails), a purely relative criterion would never stop refining.
        double absF = Integrate(s => Math.Abs(f(su * s)) * Density(s), Points(0, 1 / su), 1e-6, 0);
        double absG = Integrate(s => Math.Abs(g(sv * s)) * Density(s), Points(0, 1 / sv), 1e-6, 0);

        double Inner(double u)
        {
            double mean = beta * u;
            return Integrate(
                t => g(mean + conditional * t) * Density(t),
                Points(-mean / conditional, 1 / conditional),
                relativeTolerance,
                relativeTolerance * absG);
        }

        return Integrate(
            s =>
            {
                double fu = f(su * s);
                return fu == 0 ? 0 : fu * Density(s) * Inner(su * s);
            },
            Points(0, 1 / su),
            relativeTolerance,
            relativeTolerance * absF * absG);
    }

    /// <summary>E[f(z)], z ~ N(0, σ²).</summary>
    public static double Expect(Func<double, double> f, double variance, double relativeTolerance = 1e-14)
    {
        double sigma = Math.Sqrt(variance);
        return Integrate(s => f(sigma * s) * Density(s), Points(0, 1 / sigma), relativeTolerance, 0);
    }

    private static double Density(double t) => Math.Exp(-0.5 * t * t) * InvSqrtTwoPi;

    /// <summary>
    /// Breakpoints on [−12, 12]: <paramref name="centre"/> (where the activation has its feature)
    /// and panels around it growing geometrically from a quarter of <paramref name="width"/>.
    /// </summary>
    private static List<double> Points(double centre, double width)
    {
        var points = new SortedSet<double> { -Range, Range };
        if (centre > -Range && centre < Range)
        {
            points.Add(centre);
        }

        for (double d = width / 4; d < 2 * Range; d *= 2)
        {
            if (centre + d > -Range && centre + d < Range)
            {
                points.Add(centre + d);
            }

            if (centre - d > -Range && centre - d < Range)
            {
                points.Add(centre - d);
            }
        }

        return [.. points];
    }

    private static double Integrate(Func<double, double> f, List<double> points, double relativeTolerance, double absoluteFloor)
    {
        int panels = points.Count - 1;
        var first = new (double Integral, double Error, double Absolute)[panels];
        double scale = 0;
        for (int i = 0; i < panels; i++)
        {
            first[i] = KronrodPanel(f, points[i], points[i + 1]);
            scale += first[i].Absolute;
        }

        double tolerance = Math.Max(relativeTolerance * scale, absoluteFloor);
        double sum = 0;
        for (int i = 0; i < panels; i++)
        {
            sum += Refine(f, points[i], points[i + 1], first[i], tolerance, 0);
        }

        return sum;
    }

    private static double Refine(
        Func<double, double> f, double a, double b, (double Integral, double Error, double Absolute) panel, double tolerance, int depth)
    {
        // Done below the tolerance, or when |K15 − G7| is down to the rounding of the panel itself
        // (about 50 ulp of its ∫|f|), or as a last resort 30 bisections deep.
        if (panel.Error <= tolerance || panel.Error <= 1e-14 * panel.Absolute || depth > 30)
        {
            return panel.Integral;
        }

        double middle = 0.5 * (a + b);
        return Refine(f, a, middle, KronrodPanel(f, a, middle), tolerance, depth + 1)
            + Refine(f, middle, b, KronrodPanel(f, middle, b), tolerance, depth + 1);
    }

    private static (double Integral, double Error, double Absolute) KronrodPanel(Func<double, double> f, double a, double b)
    {
        double centre = 0.5 * (a + b);
        double half = 0.5 * (b - a);
        double fc = f(centre);
        double kronrod = KronrodWeights[7] * fc;
        double gauss = GaussWeights[3] * fc;
        double absolute = KronrodWeights[7] * Math.Abs(fc);
        for (int j = 0; j < 7; j++)
        {
            double x = half * KronrodNodes[j];
            double f1 = f(centre - x);
            double f2 = f(centre + x);
            kronrod += KronrodWeights[j] * (f1 + f2);
            absolute += KronrodWeights[j] * (Math.Abs(f1) + Math.Abs(f2));
            if (j % 2 == 1)
            {
                gauss += GaussWeights[j / 2] * (f1 + f2);
            }
        }

        return (kronrod * half, Math.Abs((kronrod - gauss) * half), absolute * Math.Abs(half));
    }
}
