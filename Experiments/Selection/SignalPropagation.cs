using GpuNngp.Kernels;

namespace GpuNngp.Experiments.Selection;

/// <summary>The fixed point q* of the variance map, and whether the iteration reached it.</summary>
/// <param name="Variance">q* (the last iterate when the iteration did not converge; +∞ when it diverged).</param>
/// <param name="Converged">True when successive iterates agreed within the tolerance.</param>
/// <param name="Iterations">Iterations taken (0 where q* has a closed form).</param>
public readonly record struct FixedPointResult(double Variance, bool Converged, int Iterations);

/// <summary>Signal propagation at one (σw², σb²): the fixed point q* and χ₁ = σw²·E[φ'(u)²] at it.</summary>
/// <param name="Chi">χ₁: &lt; 1 ordered phase, &gt; 1 chaotic phase.</param>
public readonly record struct SignalPoint(double WeightVariance, double BiasVariance, FixedPointResult FixedPoint, double Chi);

/// <summary>One point of the order-to-chaos boundary χ₁ = 1.</summary>
/// <param name="BiasVariance">σb², the given coordinate.</param>
/// <param name="WeightVariance">σw² on the boundary (NaN when none was found).</param>
/// <param name="FixedPoint">q* there.</param>
/// <param name="Chi">χ₁ there (1 up to the solver's tolerance).</param>
/// <param name="Found">True when a root was bracketed and solved.</param>
/// <param name="Note">Why not found, or a warning (e.g. the fixed point did not converge), or null.</param>
public readonly record struct BoundaryPoint(
    double BiasVariance, double WeightVariance, FixedPointResult FixedPoint, double Chi, bool Found, string? Note);

/// <summary>
/// Mean-field signal propagation in a deep, infinitely wide network (Poole et al. 2016; Schoenholz
/// et al. 2017), the theory the NNGP paper's phase diagrams are read against: the length map
/// q ↦ σb² + σw²·E[φ(u)²], u ~ N(0, q), its fixed point q*, and χ₁ = σw²·E[φ'(u)²] at q*, which
/// separates the ordered phase (χ₁ &lt; 1: correlations converge to 1, the kernel forgets its inputs)
/// from the chaotic one (χ₁ &gt; 1). Networks trained or used as GPs do best near χ₁ = 1.
/// </summary>
/// <remarks>
/// E[φ(u)²] and E[φ'(u)²] are the diagonal dual kernels F(q, q, q) and Ḟ(q, q, q): closed forms where
/// the activation has one, otherwise the trapezoid rule in z = u/√q with a step that shrinks as
/// 1/√q (<see cref="NumericMoments"/>), accurate to rounding at every variance. For positively homogeneous activations (ReLU and the other a·min(x,0) + b·max(x,0),
/// the identity) the map is linear and χ₁ does not depend on q: ReLU's boundary is σw² = 2 for every σb².
/// </remarks>
public sealed class SignalPropagation
{
    /// <summary>The trapezoid rule's widest step in z, and its half-range: e^(−z²/2) &lt; 1e-31 beyond.</summary>
    private const double MaxStep = 0.05;
    private const double HalfRange = 12;

    /// <summary>exp(−z²/2)·h/√(2π) at z = k·h for the widest step, k ≥ 0 (shared: most q use that step).</summary>
    private static readonly double[] WidestStepWeights = TrapezoidWeights(MaxStep);

    private readonly Activation _activation;
    private readonly Func<double, double>? _value;
    private readonly Func<double, double>? _derivative;

    private SignalPropagation(Activation activation, Func<double, double>? value, Func<double, double>? derivative, string name)
    {
        _activation = activation;
        _value = value;
        _derivative = derivative;
        Name = name;
    }

    /// <summary>The activation's name, e.g. "Tanh".</summary>
    public string Name { get; }

    /// <summary>The relative tolerance of the fixed-point iteration.</summary>
    public double Tolerance { get; private init; } = 1e-14;

    /// <summary>The most iterations of the length map before the fixed point is reported as not converged.</summary>
    public int MaxIterations { get; private init; } = 5_000;

    /// <summary>An iterate above this counts as divergence (q* = +∞): no kernel has such variances.</summary>
    public const double DivergenceBound = 1e8;

    /// <summary>An iterate below this counts as the fixed point q* = 0 (χ₁ is then σw²·φ'(0)² to 1e-12).</summary>
    public const double ZeroBound = 1e-12;

    /// <summary>The same activation with another iteration limit and tolerance for the fixed point.</summary>
    public SignalPropagation WithIteration(int maxIterations, double tolerance = 1e-14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tolerance);
        return new SignalPropagation(_activation, _value, _derivative, Name) { MaxIterations = maxIterations, Tolerance = tolerance };
    }

    /// <summary>Signal propagation for an activation layer (built-in or custom with φ and φ').</summary>
    public static SignalPropagation For(ActivationLayer activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        if (activation.Activation.Kind == ActivationKind.Custom && (activation.CustomValue is null || activation.CustomDerivative is null))
        {
            throw new NngpInputException($"signal propagation of the custom activation {activation.Name} needs both φ and φ'");
        }

        return new SignalPropagation(activation.Activation, activation.CustomValue, activation.CustomDerivative, activation.Name);
    }

    /// <summary>Signal propagation for an activation by its command-line name ("relu", "tanh", ...).</summary>
    public static SignalPropagation For(string activation) => For(Nngp.ActivationByName(activation));

    /// <summary>True for a·min(x, 0) + b·max(x, 0) and the identity: E[φ(u)²] ∝ q and E[φ'(u)²] is constant.</summary>
    public bool IsHomogeneous => _activation.Kind is ActivationKind.AbRelu or ActivationKind.Identity;

    /// <summary>E[φ(u)²] and E[φ'(u)²] for u ~ N(0, q).</summary>
    public (double Value, double Derivative) Moments(double q)
    {
        if (!(q >= 0))
        {
            return (double.NaN, double.NaN);
        }

        switch (_activation.Kind)
        {
            case ActivationKind.Identity:
                return (q, 1);
            case ActivationKind.AbRelu:
                double half = 0.5 * (_activation.NegativeSlope * _activation.NegativeSlope + _activation.PositiveSlope * _activation.PositiveSlope);
                return (half * q, half);
            case ActivationKind.Erf:
                var erf = ClosedForms.Erf(q, q, q);
                return (erf.F, erf.FDot);
            case ActivationKind.Gelu:
                var gelu = ClosedForms.Gelu(q, q, q);
                return (gelu.F, gelu.FDot);
        }

        return NumericMoments(q);
    }

    /// <summary>
    /// E[φ(u)²] and E[φ'(u)²] by the trapezoid rule in z (u = √q·z) on |z| ≤ 12 with step
    /// h = min(0.05, 0.25/√q), at most 9,601 points (the step stops shrinking at q = 10⁴, where it
    /// only decides divergence). For integrands analytic in a strip |Im z| &lt; a the rule's error is
    /// about e^(−2πa/h): tanh(√q·z) has its poles at |Im z| = π/(2√q), so the error is near e^(−39) at
    /// every q; the logistic family's are twice as far. (A fixed Gauss–Hermite rule does not have this
    /// property: with 64 nodes its error for E[tanh(u)²] grows from 7e-9 at q = 1 to 4e-3 at q = 10.)
    /// </summary>
    internal (double Value, double Derivative) NumericMoments(double q)
    {
        double sigma = Math.Sqrt(q);
        double step = sigma * MaxStep > 0.25 ? 0.25 / Math.Min(sigma, 100) : MaxStep;
        double[] weights = step == MaxStep ? WidestStepWeights : TrapezoidWeights(step);
        double value = 0, derivative = 0;
        for (int k = weights.Length - 1; k >= 0; k--)
        {
            // Smallest terms first; z = ±k·h share the weight.
            double z = k * step;
            double w = weights[k];
            (double phi, double dPhi) = Pointwise(sigma * z);
            value += w * phi * phi;
            derivative += w * dPhi * dPhi;
            if (k > 0)
            {
                (phi, dPhi) = Pointwise(-sigma * z);
                value += w * phi * phi;
                derivative += w * dPhi * dPhi;
            }
        }

        return (value, derivative);
    }

    private (double Value, double Derivative) Pointwise(double u) =>
        (_value is { } f ? f(u) : PointwiseActivation.Value(_activation, u),
         _derivative is { } g ? g(u) : PointwiseActivation.Derivative(_activation, u));

    private static double[] TrapezoidWeights(double step)
    {
        int count = (int)Math.Ceiling(HalfRange / step) + 1;
        var weights = new double[count];
        double norm = step / Math.Sqrt(2 * Math.PI);
        for (int k = 0; k < count; k++)
        {
            double z = k * step;
            weights[k] = norm * Math.Exp(-0.5 * z * z);
        }

        return weights;
    }

    /// <summary>The length map: σb² + σw²·E[φ(u)²], u ~ N(0, q).</summary>
    public double VarianceMap(double q, double weightVariance, double biasVariance) =>
        biasVariance + weightVariance * Moments(q).Value;

    /// <summary>
    /// q* = σb² + σw²·E[φ(u)²] with u ~ N(0, q*), by iterating the length map from q = 1 (with Aitken's
    /// Δ² extrapolation every third step where the iterates converge monotonically) until two
    /// iterates agree within <see cref="Tolerance"/> (relative) or one falls below
    /// <see cref="ZeroBound"/> (q* = 0, reached only where σb² = 0 and φ(0) = 0); an iterate above
    /// <see cref="DivergenceBound"/> means no finite fixed point (+∞, not converged). Homogeneous activations have the closed
    /// form q* = σb²/(1 − σw²·E[φ(z)²]) when σw²·E[φ(z)²] &lt; 1 and no finite fixed point otherwise
    /// (reported as +∞, not converged; at σb² = 0 and σw²·E[φ(z)²] = 1 every q is fixed, reported as 1).
    /// </summary>
    public FixedPointResult FixedPoint(double weightVariance, double biasVariance)
    {
        CheckVariances(weightVariance, biasVariance);
        if (IsHomogeneous)
        {
            double slope = weightVariance * Moments(1).Value;
            if (slope < 1)
            {
                return new FixedPointResult(biasVariance / (1 - slope), true, 0);
            }

            return slope == 1 && biasVariance == 0
                ? new FixedPointResult(1, true, 0)
                : new FixedPointResult(double.PositiveInfinity, false, 0);
        }

        double q = 1;
        double previousStep = double.NaN;
        for (int iteration = 1; iteration <= MaxIterations; iteration++)
        {
            double next = VarianceMap(q, weightVariance, biasVariance);
            if (!double.IsFinite(next) || next > DivergenceBound)
            {
                return new FixedPointResult(double.PositiveInfinity, false, iteration);
            }

            if (Math.Abs(next - q) <= Tolerance * Math.Abs(next) || next < ZeroBound)
            {
                return new FixedPointResult(next, true, iteration);
            }

            double step = next - q;

            // Growing steps far above any kernel's variance: the map's slope is ≥ 1 there (an
            // activation growing like ReLU with σw² past its critical value), so q diverges.
            if (next > 1e4 && step > 0 && previousStep > 0 && step >= previousStep)
            {
                return new FixedPointResult(double.PositiveInfinity, false, iteration);
            }

            // Aitken's Δ²: where two successive steps shrink by a ratio r in (0, 1) (monotone, linear
            // convergence), jump to the limit of that geometric series. Near χ₁ = 1 at σb² → 0 the
            // map converges slowly and this keeps the iteration count small; a wrong jump costs
            // nothing, as the plain iteration resumes from it.
            if (iteration % 3 == 0 && double.IsFinite(previousStep) && previousStep != 0)
            {
                double ratio = step / previousStep;
                double extrapolated = next + step * ratio / (1 - ratio);
                if (ratio > 0 && ratio < 1 && extrapolated >= 0 && double.IsFinite(extrapolated))
                {
                    if (extrapolated > DivergenceBound)
                    {
                        return new FixedPointResult(double.PositiveInfinity, false, iteration);
                    }

                    q = extrapolated;
                    previousStep = double.NaN;
                    continue;
                }
            }

            previousStep = step;
            q = next;
        }

        return new FixedPointResult(q, false, MaxIterations);
    }

    /// <summary>q* and χ₁ = σw²·E[φ'(u)²] at u ~ N(0, q*). For homogeneous activations χ₁ does not depend on q*.</summary>
    public SignalPoint Analyse(double weightVariance, double biasVariance)
    {
        var fixedPoint = FixedPoint(weightVariance, biasVariance);
        double chi = IsHomogeneous
            ? weightVariance * Moments(1).Derivative
            : (double.IsFinite(fixedPoint.Variance) ? weightVariance * Moments(fixedPoint.Variance).Derivative : double.NaN);
        return new SignalPoint(weightVariance, biasVariance, fixedPoint, chi);
    }

    /// <summary>χ₁ over a grid, indexed [bias, weight] (rows σb², columns σw²), as the phase diagram draws it.</summary>
    public double[,] ChiGrid(IReadOnlyList<double> weightVariances, IReadOnlyList<double> biasVariances)
    {
        ArgumentNullException.ThrowIfNull(weightVariances);
        ArgumentNullException.ThrowIfNull(biasVariances);
        var grid = new double[biasVariances.Count, weightVariances.Count];
        Parallel.For(0, biasVariances.Count, b =>
        {
            for (int w = 0; w < weightVariances.Count; w++)
            {
                grid[b, w] = Analyse(weightVariances[w], biasVariances[b]).Chi;
            }
        });
        return grid;
    }

    /// <summary>
    /// The σw² at which χ₁ = 1 for this σb²: bracketed by stepping σw² up from
    /// <paramref name="lower"/> (doubling up to <paramref name="upper"/>), then solved by Brent's method
    /// to a relative tolerance of 1e-14 in σw².
    /// </summary>
    public BoundaryPoint CriticalWeightVariance(double biasVariance, double lower = 1e-3, double upper = 1e4)
    {
        CheckVariances(lower, biasVariance);
        if (!(upper > lower))
        {
            throw new NngpInputException($"the σw² search range must be increasing, got [{lower}, {upper}]");
        }

        double Excess(double w) => Analyse(w, biasVariance).Chi - 1;

        double a = lower, fa = Excess(a);
        if (double.IsNaN(fa))
        {
            return NotFound(biasVariance, FormattableString.Invariant($"χ₁ is undefined at σw² = {a:G6}"));
        }

        if (fa > 0)
        {
            return NotFound(biasVariance, FormattableString.Invariant($"χ₁ > 1 already at σw² = {a:G6}"));
        }

        double b = Math.Max(2 * a, 1), fb = Excess(b);
        while (!(fb >= 0))
        {
            if (double.IsNaN(fb))
            {
                // No fixed point is reached from q = 1 at this σw² (the length map diverges, as for
                // activations that grow like ReLU): look for χ₁ ≥ 1 on the defined side of that edge.
                double defined = a, undefined = b;
                bool bracketed = false;
                for (int i = 0; i < 40 && undefined - defined > 1e-3 * undefined; i++)
                {
                    double middle = 0.5 * (defined + undefined);
                    double fm = Excess(middle);
                    if (double.IsNaN(fm))
                    {
                        undefined = middle;
                    }
                    else if (fm >= 0)
                    {
                        b = middle;
                        fb = fm;
                        bracketed = true;
                        break;
                    }
                    else
                    {
                        defined = middle;
                        a = middle;
                        fa = fm;
                    }
                }

                if (!bracketed)
                {
                    return NotFound(biasVariance, FormattableString.Invariant(
                        $"χ₁ < 1 wherever the fixed point exists (up to σw² = {defined:G6}; beyond it q diverges)"));
                }

                break;
            }

            if (b >= upper)
            {
                return NotFound(biasVariance, FormattableString.Invariant($"χ₁ < 1 up to σw² = {upper:G6}"));
            }

            a = b;
            fa = fb;
            b = Math.Min(2 * b, upper);
            fb = Excess(b);
        }

        double root = fb == 0 ? b : Brent(Excess, a, b, fa, fb, 1e-14);
        var point = Analyse(root, biasVariance);
        string? note = point.FixedPoint.Converged || IsHomogeneous
            ? null
            : FormattableString.Invariant($"the fixed point did not converge in {point.FixedPoint.Iterations} iterations");
        return new BoundaryPoint(biasVariance, root, point.FixedPoint, point.Chi, true, note);
    }

    /// <summary>The boundary σw²(σb²) at each of <paramref name="biasVariances"/>.</summary>
    public IReadOnlyList<BoundaryPoint> Boundary(IReadOnlyList<double> biasVariances, double lower = 1e-3, double upper = 1e4)
    {
        ArgumentNullException.ThrowIfNull(biasVariances);
        var points = new BoundaryPoint[biasVariances.Count];
        Parallel.For(0, points.Length, i => points[i] = CriticalWeightVariance(biasVariances[i], lower, upper));
        return points;
    }

    /// <summary>n equally spaced values from <paramref name="start"/> to <paramref name="stop"/> (both included), like numpy's linspace.</summary>
    public static double[] Linspace(double start, double stop, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = count == 1 ? start : start + (stop - start) * i / (count - 1);
        }

        return values;
    }

    /// <summary>
    /// Brent's method (zeroin) for f(x) = 0 on [a, b] with f(a)·f(b) ≤ 0: inverse quadratic
    /// interpolation and secant steps, falling back to bisection whenever they would not shrink the
    /// bracket fast enough.
    /// </summary>
    internal static double Brent(Func<double, double> f, double a, double b, double fa, double fb, double relativeTolerance)
    {
        double c = a, fc = fa, d = b - a, e = d;
        for (int iteration = 0; iteration < 200; iteration++)
        {
            if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0))
            {
                c = a;
                fc = fa;
                d = b - a;
                e = d;
            }

            if (Math.Abs(fc) < Math.Abs(fb))
            {
                a = b;
                b = c;
                c = a;
                fa = fb;
                fb = fc;
                fc = fa;
            }

            double tolerance = 2 * double.Epsilon + 0.5 * relativeTolerance * Math.Abs(b);
            double middle = 0.5 * (c - b);
            if (Math.Abs(middle) <= tolerance || fb == 0)
            {
                return b;
            }

            if (Math.Abs(e) >= tolerance && Math.Abs(fa) > Math.Abs(fb))
            {
                double s = fb / fa, p, q;
                if (a == c)
                {
                    p = 2 * middle * s;
                    q = 1 - s;
                }
                else
                {
                    double r = fb / fc;
                    double t = fa / fc;
                    p = s * (2 * middle * t * (t - r) - (b - a) * (r - 1));
                    q = (t - 1) * (r - 1) * (s - 1);
                }

                if (p > 0)
                {
                    q = -q;
                }
                else
                {
                    p = -p;
                }

                if (2 * p < Math.Min(3 * middle * q - Math.Abs(tolerance * q), Math.Abs(e * q)))
                {
                    e = d;
                    d = p / q;
                }
                else
                {
                    d = middle;
                    e = d;
                }
            }
            else
            {
                d = middle;
                e = d;
            }

            a = b;
            fa = fb;
            b += Math.Abs(d) > tolerance ? d : (middle > 0 ? tolerance : -tolerance);
            fb = f(b);
        }

        return b;
    }

    private static BoundaryPoint NotFound(double biasVariance, string note) =>
        new(biasVariance, double.NaN, new FixedPointResult(double.NaN, false, 0), double.NaN, false, note);

    private static void CheckVariances(double weightVariance, double biasVariance)
    {
        if (!double.IsFinite(weightVariance) || weightVariance < 0 || !double.IsFinite(biasVariance) || biasVariance < 0)
        {
            throw new NngpInputException(FormattableString.Invariant($"σw² and σb² must be finite and ≥ 0, got {weightVariance}, {biasVariance}"));
        }
    }
}
