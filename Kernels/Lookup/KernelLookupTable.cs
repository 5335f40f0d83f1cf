using System.Diagnostics;

namespace GpuNngp.Kernels.Lookup;

/// <summary>
/// Lookup tables of the dual kernel, one per hidden layer whose activation has no closed form: F and
/// Ḟ as functions of the correlation at that layer's variance q_l, which every point shares when the
/// inputs share one norm (the paper's preprocessing: x·x/d = 1 makes q⁰, and so every q_l, the same
/// for all points). The entries are computed by the same quadrature as the direct path (by default
/// the graded Gauss–Legendre rule, within 1e-13 of the integral, its panels scaled to the variance),
/// so no fixed integration range limits the variances a table can serve; a layer keeps its table
/// only where the table's measured error is within <see cref="LookupTableOptions.Tolerance"/>.
/// </summary>
/// <remarks>
/// Plain arrays: <see cref="Layers"/> (one <see cref="LookupLayer"/> per hidden layer) and
/// <see cref="Coefficients"/> (8 doubles per cell), read through <see cref="HostKernelTableView"/> on
/// the CPU and, copied to device memory as they are, <see cref="DeviceKernelTableView"/> on the GPU.
/// </remarks>
internal sealed class KernelLookupTable
{
    private KernelLookupTable(
        double inputVariance, LookupLayer[] layers, double[] coefficients, LookupLayerReport[] reports, LookupTableOptions options, double seconds)
    {
        InputVariance = inputVariance;
        Layers = layers;
        Coefficients = coefficients;
        Reports = reports;
        Options = options;
        BuildSeconds = seconds;
    }

    /// <summary>The input variance q⁰ = x·x/d the tables were computed for.</summary>
    public double InputVariance { get; }

    /// <summary>One entry per hidden layer; <see cref="LookupLayer.None"/> where the layer has no table.</summary>
    public LookupLayer[] Layers { get; }

    /// <summary>The cells' cubic coefficients, 8 per cell, layer tables one after another.</summary>
    public double[] Coefficients { get; }

    /// <summary>Per hidden layer: the table's size and measured error, or why it has none.</summary>
    public IReadOnlyList<LookupLayerReport> Reports { get; }

    public LookupTableOptions Options { get; }

    /// <summary>Wall-clock seconds the tables took to build (quadrature at the nodes and the check points).</summary>
    public double BuildSeconds { get; }

    /// <summary>True when at least one layer uses a table.</summary>
    public bool AnyTabulated => Reports.Any(r => r.Tabulated);

    /// <summary>The largest measured error of F over the tabulated layers (relative to F(c = 1)).</summary>
    public double MaxValueError => Reports.Where(r => r.Tabulated).Select(r => r.ValueError).DefaultIfEmpty(0).Max();

    /// <summary>The CPU's view of these tables.</summary>
    public HostKernelTableView View => new(Layers, Coefficients);

    /// <summary>A view with no table at all: <see cref="TabulatedDual{TTable}"/> then equals <see cref="DirectDual"/>.</summary>
    public static HostKernelTableView Empty(int depth) => new(new LookupLayer[Math.Max(depth, 1)], [0.0]);

    /// <summary>True when some hidden layer's activation needs quadrature, the only case a table can help.</summary>
    public static bool Helps<TNetwork>(in TNetwork network)
        where TNetwork : struct, INetworkView
    {
        for (int layer = 0; layer < network.Depth; layer++)
        {
            if (!network.Layer(layer).Activation.HasClosedForm)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Tables for inputs with these variances q⁰ = x·x/d, or null with the reason when no table
    /// applies: every activation has a closed form, or the inputs do not share one norm (within
    /// <see cref="LookupTableOptions.VarianceTolerance"/>).
    /// </summary>
    public static KernelLookupTable? TryBuild<TNetwork>(
        in TNetwork network, IReadOnlyList<double> inputVariances, LookupTableOptions? options, out string reason)
        where TNetwork : struct, INetworkView
    {
        ArgumentNullException.ThrowIfNull(inputVariances);
        options ??= LookupTableOptions.Default;
        if (!Helps(network))
        {
            reason = "every activation has a closed form";
            return null;
        }

        if (inputVariances.Count == 0)
        {
            reason = "no inputs";
            return null;
        }

        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in inputVariances)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        double middle = 0.5 * (min + max);
        if (!double.IsFinite(middle) || !(middle > 0) || max - min > 2 * options.VarianceTolerance * middle)
        {
            reason = FormattableString.Invariant(
                $"the inputs do not share one norm (x·x/d from {min:G6} to {max:G6}); standardise them per example to use lookup tables");
            return null;
        }

        reason = "";
        return Build(network, middle, options);
    }

    /// <summary>Builds the tables for inputs of variance q⁰ = <paramref name="inputVariance"/>.</summary>
    public static KernelLookupTable Build<TNetwork>(in TNetwork network, double inputVariance, LookupTableOptions? options = null)
        where TNetwork : struct, INetworkView
    {
        options ??= LookupTableOptions.Default;
        if (options.InitialCells < 4 || options.MaxCells < 2 * options.InitialCells)
        {
            throw new ArgumentException("lookup tables need InitialCells ≥ 4 and MaxCells ≥ 2·InitialCells", nameof(options));
        }

        long start = Stopwatch.GetTimestamp();
        int depth = network.Depth;
        var chain = new double[depth];
        LayerRecursion.Diagonal(network, inputVariance, chain);

        var layers = new LookupLayer[Math.Max(depth, 1)];
        var reports = new LookupLayerReport[depth];
        var coefficients = new List<double>();
        for (int layer = 0; layer < depth; layer++)
        {
            Activation activation = network.Layer(layer).Activation;
            double q = chain[layer];
            if (activation.HasClosedForm)
            {
                reports[layer] = new LookupLayerReport(layer, double.NaN, 0, 0, double.NaN, double.NaN, -1, "closed form");
                continue;
            }

            int shared = -1;
            if (activation.Kind != ActivationKind.Custom)
            {
                for (int earlier = 0; earlier < layer; earlier++)
                {
                    // Within half the variance tolerance, the earlier table covers this layer's
                    // points as well as its own would (deep layers approach the fixed point q*).
                    if (network.Layer(earlier).Activation == activation && reports[earlier].Tabulated
                        && reports[earlier].SharedWith < 0
                        && Math.Abs(q - chain[earlier]) <= 0.5 * options.VarianceTolerance * chain[earlier])
                    {
                        shared = earlier;
                        break;
                    }
                }
            }

            if (shared >= 0)
            {
                layers[layer] = layers[shared];
                var source = reports[shared];
                reports[layer] = source with { Layer = layer, SharedWith = shared };
                continue;
            }

            var built = BuildLayer(network, layer, q, options);
            reports[layer] = built.Report;
            if (built.Coefficients is { } cells)
            {
                int cellCount = cells.Length / LookupLayer.CoefficientsPerCell;
                layers[layer] = new LookupLayer(
                    cellCount,
                    coefficients.Count,
                    cellCount / Math.PI,
                    q,
                    options.VarianceTolerance * q,
                    built.HasDerivative ? 1 : 0);
                coefficients.AddRange(cells);
            }
        }

        if (coefficients.Count == 0)
        {
            coefficients.Add(0); // a device buffer cannot be empty
        }

        return new KernelLookupTable(
            inputVariance, layers, coefficients.ToArray(), reports, options, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private static (double[]? Coefficients, bool HasDerivative, LookupLayerReport Report) BuildLayer<TNetwork>(
        in TNetwork network, int layer, double q, LookupTableOptions options)
        where TNetwork : struct, INetworkView
    {
        if (!(q > 0) || !double.IsFinite(q))
        {
            return (null, false, new LookupLayerReport(layer, q, 0, 0, double.NaN, double.NaN, -1,
                FormattableString.Invariant($"variance {q:G6} is not positive and finite")));
        }

        int cells = options.InitialCells;
        Samples nodes = Sample(network, layer, q, cells, 0, 1);
        while (true)
        {
            // The interpolant's error is largest near each cell's midpoint: measure it there, then
            // keep the midpoints as nodes of a table with twice the cells.
            Samples midpoints = Sample(network, layer, q, cells, 0.5, 0);
            bool hasDerivative = nodes.DerivativesFinite && midpoints.DerivativesFinite;
            double[] table = CellCoefficients(nodes, hasDerivative, cells);
            var (valueError, derivativeError) = MidpointErrors(table, nodes.Values[0], hasDerivative ? nodes.Derivatives[0] : double.NaN, midpoints, hasDerivative);
            bool within = valueError <= options.Tolerance && (!hasDerivative || derivativeError <= options.Tolerance);

            var merged = Samples.Interleave(nodes, midpoints);
            if (within)
            {
                double[] refined = CellCoefficients(merged, hasDerivative, 2 * cells);
                return (refined, hasDerivative, new LookupLayerReport(
                    layer, q, 2 * cells, cells, valueError, hasDerivative ? derivativeError : double.NaN, -1, null));
            }

            if (4 * cells > options.MaxCells)
            {
                return (null, false, new LookupLayerReport(layer, q, 0, cells, valueError, derivativeError, -1,
                    FormattableString.Invariant($"{cells} cells leave an error of {Math.Max(valueError, hasDerivative ? derivativeError : 0):G3} > {options.Tolerance:G3}; quadrature")));
            }

            nodes = merged;
            cells *= 2;
        }
    }

    /// <summary>
    /// F and Ḟ at θ = (j + <paramref name="shift"/>)·π/cells, j = 0 … cells − 1 + <paramref name="extra"/>,
    /// and dF/dθ = −q·sin θ·Ḟ (<see cref="Evaluate"/>).
    /// </summary>
    private static Samples Sample<TNetwork>(in TNetwork network, int layer, double q, int cells, double shift, int extra)
        where TNetwork : struct, INetworkView
    {
        int count = cells + extra;
        var samples = new Samples(new double[count], new double[count], new double[count]);
        TNetwork copy = network;
        double h = Math.PI / cells;
        Parallel.For(0, count, j =>
        {
            bool first = j == 0 && shift == 0;
            bool last = j == cells && shift == 0;
            double k12 = first ? q : (last ? -q : q * Math.Cos((j + shift) * h));
            var (f, fDot, slope) = Evaluate(in copy, layer, k12, q);
            samples.Values[j] = f;
            samples.Derivatives[j] = fDot;
            samples.Slopes[j] = first || last ? 0 : slope;
        });
        return samples;
    }

    /// <summary>
    /// F and Ḟ exactly as the direct path computes them for (k12, q, q) — the same rule
    /// (<see cref="DualQuadrature"/>), so a table's nodes equal the direct path bit for bit — and
    /// dF/dθ from Price's theorem, ∂F/∂k12 = Ḟ: dF/dθ = −q·sin θ·Ḟ. With the default rule, F and Ḟ
    /// are within 1e-13 of the integral, so this slope is that of the values the table
    /// interpolates to the same accuracy, and it costs nothing beyond Ḟ, which the table needs
    /// anyway. (With the Gauss–Hermite opt-in it is not the slope of the unconverged sum; the
    /// midpoint check then keeps only the tables that still agree with it.) NaN without φ'.
    /// </summary>
    internal static (double F, double FDot, double Slope) Evaluate<TNetwork>(in TNetwork network, int layer, double k12, double q)
        where TNetwork : struct, INetworkView
    {
        var moments = DualQuadrature.Evaluate(in network, layer, k12, q, q, withDerivative: true);
        double c = q > 0 ? ScalarMath.ClampUnit(k12 / q) : 0;
        return (moments.F, moments.FDot, -q * ScalarMath.SqrtOneMinusSquare(c) * moments.FDot);
    }

    /// <summary>Cell coefficients from the samples at the cells + 1 nodes.</summary>
    private static double[] CellCoefficients(Samples nodes, bool hasDerivative, int cells)
    {
        double h = Math.PI / cells;
        double[] slopes = nodes.Slopes;
        if (!Array.TrueForAll(slopes, double.IsFinite))
        {
            slopes = new double[cells + 1];
            FiniteDifferenceSlopes(nodes.Values, h, slopes);
        }

        var derivativeSlopes = new double[cells + 1];
        if (hasDerivative)
        {
            FiniteDifferenceSlopes(nodes.Derivatives, h, derivativeSlopes);
        }

        var result = new double[cells * LookupLayer.CoefficientsPerCell];
        for (int i = 0; i < cells; i++)
        {
            var cell = result.AsSpan(i * LookupLayer.CoefficientsPerCell, LookupLayer.CoefficientsPerCell);
            KernelTableMath.HermiteCell(nodes.Values[i], nodes.Values[i + 1], slopes[i], slopes[i + 1], h, cell[..4]);
            if (hasDerivative)
            {
                KernelTableMath.HermiteCell(nodes.Derivatives[i], nodes.Derivatives[i + 1], derivativeSlopes[i], derivativeSlopes[i + 1], h, cell[4..]);
            }
            else
            {
                cell[4..].Fill(double.NaN);
            }
        }

        return result;
    }

    /// <summary>
    /// Fourth-order central differences on a uniform grid in θ over [0, π], continued past both ends
    /// by symmetry: a function of cos θ is even about θ = 0 and about θ = π.
    /// </summary>
    private static void FiniteDifferenceSlopes(double[] g, double h, double[] slopes)
    {
        int n = g.Length - 1;
        double At(int j) => j < 0 ? g[-j] : (j > n ? g[2 * n - j] : g[j]);
        for (int j = 0; j <= n; j++)
        {
            slopes[j] = (At(j - 2) - 8 * At(j - 1) + 8 * At(j + 1) - At(j + 2)) / (12 * h);
        }

        slopes[0] = 0;
        slopes[n] = 0;
    }

    private static (double Value, double Derivative) MidpointErrors(
        double[] table, double valueScale, double derivativeScale, Samples midpoints, bool hasDerivative)
    {
        double[] midValues = midpoints.Values;
        double[] midDerivatives = midpoints.Derivatives;
        double fScale = Math.Abs(valueScale) > 0 ? Math.Abs(valueScale) : 1;
        double dScale = Math.Abs(derivativeScale) > 0 ? Math.Abs(derivativeScale) : 1;
        double valueError = 0, derivativeError = 0;
        for (int i = 0; i < midValues.Length; i++)
        {
            int o = i * LookupLayer.CoefficientsPerCell;
            double f = table[o] + 0.5 * (table[o + 1] + 0.5 * (table[o + 2] + 0.5 * table[o + 3]));
            valueError = Math.Max(valueError, Math.Abs(f - midValues[i]) / fScale);
            if (hasDerivative)
            {
                double d = table[o + 4] + 0.5 * (table[o + 5] + 0.5 * (table[o + 6] + 0.5 * table[o + 7]));
                derivativeError = Math.Max(derivativeError, Math.Abs(d - midDerivatives[i]) / dScale);
            }
        }

        // NaN (a non-finite quadrature value) must fail the check, not pass it.
        return (double.IsNaN(valueError) ? double.PositiveInfinity : valueError, double.IsNaN(derivativeError) ? double.PositiveInfinity : derivativeError);
    }

    /// <summary>F, Ḟ and dF/dθ at a row of angles.</summary>
    private sealed record Samples(double[] Values, double[] Derivatives, double[] Slopes)
    {
        public bool DerivativesFinite => Array.TrueForAll(Derivatives, double.IsFinite);

        /// <summary>Nodes (n + 1) and the midpoints between them (n) as the 2n + 1 nodes of the refined grid.</summary>
        public static Samples Interleave(Samples nodes, Samples midpoints) =>
            new(Merge(nodes.Values, midpoints.Values), Merge(nodes.Derivatives, midpoints.Derivatives), Merge(nodes.Slopes, midpoints.Slopes));

        private static double[] Merge(double[] nodes, double[] midpoints)
        {
            var merged = new double[nodes.Length + midpoints.Length];
            for (int i = 0; i < midpoints.Length; i++)
            {
                merged[2 * i] = nodes[i];
                merged[2 * i + 1] = midpoints[i];
            }

            merged[^1] = nodes[^1];
            return merged;
        }
    }
}
