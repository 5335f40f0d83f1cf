using GpuNngp.Engine.Pipeline;
using GpuNngp.Data;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Tests.Kernels;
using GpuNngp.Experiments.Evaluation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using Xunit;

namespace GpuNngp.Engine.Tests.Lookup;

/// <summary>
/// The dual-kernel lookup tables: their error against direct quadrature over the variances the
/// recursion reaches, that closed forms never use them, and that a kernel computed through them
/// agrees with the direct one.
/// </summary>
public sealed class LookupTableTests
{
    /// <summary>The end-to-end agreement stated in docs/results.md: relative to the largest kernel entry.</summary>
    private const double KernelTolerance = 1e-9;

    /// <summary>One hidden layer whose pre-activation variance is q for an input of variance 1.</summary>
    private static HostNetworkView OneLayer(Activation activation, double q, int order = QuadratureRules.DefaultOrder) =>
        new(new DenseVariances(q, 0), [new HiddenLayer(activation, new DenseVariances(1, 0))], QuadratureRules.Get(order));

    public static TheoryData<double> Variances => [0.01, 1, 100];

    /// <summary>
    /// The table of layer 0 against the independent integration (GaussianExpectation), not the
    /// engine's rule: at c ∈ {−1, −0.999, −0.5, 0, 0.5, 0.9, 0.999, 1}, F and Ḟ within 1e-10 of
    /// their values at c = 1 (the entry's scale at equal variances).
    /// </summary>
    private static void AssertTableMatchesReference(HostNetworkView network, KernelLookupTable tables, Func<double, double> phi, Func<double, double> derivative, string what)
    {
        LookupLayer meta = tables.Layers[0];
        double q = meta.Variance;
        var view = tables.View;
        double scaleF = GaussianExpectation.Expect(x => phi(x) * phi(x), q);
        double scaleFDot = GaussianExpectation.Expect(x => derivative(x) * derivative(x), q);
        foreach (double c in new[] { -1, -0.999, -0.5, 0, 0.5, 0.9, 0.999, 1 })
        {
            var table = KernelTableMath.Evaluate(view, meta, c * q, q, q, withDerivative: true);
            double f = QuadratureAccuracyTests.Reference(phi, phi, c * q, q, q);
            double fDot = QuadratureAccuracyTests.Reference(derivative, derivative, c * q, q, q);
            double errorF = Math.Abs(table.F - f) / scaleF;
            double errorFDot = Math.Abs(table.FDot - fDot) / scaleFDot;
            Assert.True(
                errorF <= LookupTableOptions.DefaultTolerance && errorFDot <= LookupTableOptions.DefaultTolerance,
                FormattableString.Invariant($"{what}, q = {q}, c = {c}: table F error {errorF:E2}, Ḟ error {errorFDot:E2} of the scale"));
        }
    }

    [Theory]
    [MemberData(nameof(Variances))]
    public void TanhTable_IsWithinItsTolerance_OfDirectQuadrature(double q)
    {
        var network = OneLayer(Activation.Tanh, q);
        var tables = KernelLookupTable.Build(network, 1.0);
        var report = tables.Reports[0];

        Assert.True(report.Tabulated, report.Note);
        Assert.Equal(q, report.Variance, 12);
        Assert.True(report.ValueError <= LookupTableOptions.DefaultTolerance, $"checked error of F {report.ValueError:G3}");
        Assert.True(report.DerivativeError <= LookupTableOptions.DefaultTolerance, $"checked error of Ḟ {report.DerivativeError:G3}");

        // Away from the nodes and the check points: random correlations, dense near c = ±1 too.
        var (valueError, derivativeError) = LookupTableAccuracy.Measure(network, tables, 0, samples: 100, seed: (int)(10 * q) + 3);
        Assert.True(valueError <= LookupTableOptions.DefaultTolerance, $"q = {q}: error of F {valueError:G3}");
        Assert.True(derivativeError <= LookupTableOptions.DefaultTolerance, $"q = {q}: error of Ḟ {derivativeError:G3}");

        // And against the independent integration: the table meets the bound against the true integral.
        AssertTableMatchesReference(network, tables, x => PointwiseActivation.Value(Activation.Tanh, x), x => PointwiseActivation.Derivative(Activation.Tanh, x), "tanh");
    }

    /// <summary>Softplus, sigmoid, swish and a user delegate (atan, with and without its φ′), at a small and a large variance.</summary>
    [Theory]
    [InlineData("softplus")]
    [InlineData("sigmoid")]
    [InlineData("swish")]
    [InlineData("custom atan")]
    public void OtherSmoothActivations_AreTabulatedWithinTolerance(string name)
    {
        foreach (double q in new[] { 0.1, 10 })
        {
            var (phi, derivative, oneLayer) = QuadratureAccuracyTests.Case(name);
            bool custom = oneLayer.Layers[0].Activation.Kind == ActivationKind.Custom;
            var network = new HostNetworkView(
                new DenseVariances(q, 0), [.. oneLayer.Layers], QuadratureRules.Get(QuadratureRules.DefaultOrder), custom ? [phi] : null, custom ? [derivative] : null);
            var tables = KernelLookupTable.Build(network, 1.0);
            Assert.True(tables.Reports[0].Tabulated, $"{name}: {tables.Reports[0].Note}");
            var (valueError, derivativeError) = LookupTableAccuracy.Measure(network, tables, 0, samples: 60);
            Assert.True(valueError <= LookupTableOptions.DefaultTolerance, $"{name}: error of F {valueError:G3}");
            Assert.True(derivativeError <= LookupTableOptions.DefaultTolerance, $"{name}: error of Ḟ {derivativeError:G3}");
            AssertTableMatchesReference(network, tables, phi, derivative, name);
        }
    }

    [Fact]
    public void TableNodes_EqualDirectQuadrature_BitForBit()
    {
        var network = OneLayer(Activation.Tanh, 1.7);
        var tables = KernelLookupTable.Build(network, 1.0);
        var meta = tables.Layers[0];
        var view = tables.View;
        foreach (double c in new[] { 1.0, -1.0, 0.0 })
        {
            // θ = 0, π and (for an even cell count) π/2 are nodes. At θ = 0 the table returns its first
            // coefficient, the node's value itself; elsewhere the cubic is evaluated at x = 0 or 1
            // up to rounding of the position.
            double k12 = c * meta.Variance;
            var direct = DualQuadrature.Evaluate(network, 0, k12, meta.Variance, meta.Variance, withDerivative: true);
            var table = KernelTableMath.Evaluate(view, meta, k12, meta.Variance, meta.Variance, withDerivative: true);
            if (c == 1)
            {
                Assert.Equal(direct.F, table.F);
                Assert.Equal(direct.FDot, table.FDot);
            }
            else
            {
                Assert.Equal(direct.F, table.F, 1e-13);
                Assert.Equal(direct.FDot, table.FDot, 1e-13);
            }
        }
    }

    public static TheoryData<string> ClosedForms => ["relu", "leaky-relu", "abs", "identity", "erf", "gelu"];

    [Theory]
    [MemberData(nameof(ClosedForms))]
    public void ClosedFormActivations_NeverGetATable(string name)
    {
        var network = HostPreparation.View(Nngp.FullyConnected(4, Nngp.ActivationByName(name), 1.5, 0.1).Compile(), QuadratureRules.DefaultOrder);
        double[] standardised = Enumerable.Repeat(1.0, 10).ToArray();

        Assert.False(KernelLookupTable.Helps(network));
        Assert.Null(HostPreparation.Tables(network, standardised, LookupTableMode.Auto));
        Assert.Null(KernelLookupTable.TryBuild(network, standardised, null, out string reason));
        Assert.Contains("closed form", reason, StringComparison.Ordinal);

        // Even built on purpose, a closed-form layer has no table.
        var forced = KernelLookupTable.Build(network, 1.0);
        Assert.All(forced.Layers, layer => Assert.Equal(0, layer.Cells));
        Assert.All(forced.Reports, report => Assert.Equal("closed form", report.Note));
    }

    [Fact]
    public void MixedNetwork_TabulatesOnlyTheQuadratureLayers()
    {
        var network = HostPreparation.View(
            Nngp.Serial(Nngp.Dense(1.5, 0.1), Nngp.Relu(), Nngp.Dense(1.5, 0.1), Nngp.Tanh(), Nngp.Dense(1.5, 0.1), Nngp.Erf(), Nngp.Dense(1.5, 0.1)).Compile(),
            QuadratureRules.DefaultOrder);
        var tables = KernelLookupTable.Build(network, 1.0);
        Assert.Equal(0, tables.Layers[0].Cells);
        Assert.True(tables.Layers[1].Cells > 0);
        Assert.Equal(0, tables.Layers[2].Cells);
    }

    [Fact]
    public void InputsOfDifferentNorms_GetNoTable()
    {
        var network = OneLayer(Activation.Tanh, 1);
        Assert.Null(KernelLookupTable.TryBuild(network, [1.0, 1.5], null, out string reason));
        Assert.Contains("norm", reason, StringComparison.Ordinal);
        Assert.NotNull(KernelLookupTable.TryBuild(network, [1.0, 1.0 + 1e-15], null, out _));
        Assert.Null(HostPreparation.Tables(network, [1.0, 1.0], LookupTableMode.Off));
    }

    [Fact]
    public void EntriesOffTheTablesVariance_FallBackToQuadrature_BitForBit()
    {
        var network = HostPreparation.View(Nngp.FullyConnected(3, Nngp.Tanh(), 0.5, 0.1).Compile(), QuadratureRules.DefaultOrder);
        var tables = KernelLookupTable.Build(network, 1.0);
        Assert.All(tables.Reports, r => Assert.True(r.Tabulated, r.Note));
        var (onTable, _) = HostPreparation.Diagonals(network, [1.0, 1.0], KernelKind.Nngp, tables);
        var (offTable, _) = HostPreparation.Diagonals(network, [1.0, 1.3], KernelKind.Nngp);
        var (offThroughTable, _) = HostPreparation.Diagonals(network, [1.0, 1.3], KernelKind.Nngp, tables);

        // Point 1 (variance 1.3) is off every layer's table: the tabulated recursion integrates it directly.
        var direct = new HostDiagonalView(offTable, 2);
        var through = new HostDiagonalView(offThroughTable, 2);
        for (int layer = 0; layer < 3; layer++)
        {
            Assert.Equal(direct.Variance(layer, 1), through.Variance(layer, 1));
            Assert.Equal(onTable[layer * 2], through.Variance(layer, 0));
        }

        foreach (var kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            double expected = LayerRecursion.Entry(network, 0.4, direct, 0, direct, 1, kind);
            double actual = LayerRecursion.Entry(network, new TabulatedDual<HostKernelTableView>(tables.View), 0.4, through, 0, through, 1, kind);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void AnEmptyTable_LeavesTheRecursionUnchanged_BitForBit()
    {
        foreach (string name in new[] { "relu", "tanh", "erf" })
        {
            var network = HostPreparation.View(Nngp.FullyConnected(4, Nngp.ActivationByName(name), 1.7, 0.2).Compile(), 12);
            var (variances, _) = HostPreparation.Diagonals(network, [1.1, 0.8], KernelKind.Ntk);
            var diagonal = new HostDiagonalView(variances, 2);
            foreach (var kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
            {
                double expected = LayerRecursion.Entry(network, 0.3, diagonal, 0, diagonal, 1, kind);
                double actual = LayerRecursion.Entry(network, new TabulatedDual<HostKernelTableView>(KernelLookupTable.Empty(4)), 0.3, diagonal, 0, diagonal, 1, kind);
                Assert.Equal(expected, actual);
            }
        }
    }

    [Fact]
    public void DeepLayersNearTheFixedPoint_ShareOneTable()
    {
        // σw² = 0.02: the variance map contracts by ~0.02 a layer, so the chain reaches its fixed point
        // (within the tables' variance tolerance, 1e-12) after a few layers, each tabulated once.
        var network = HostPreparation.View(Nngp.FullyConnected(12, Nngp.Tanh(), 0.02, 0.1).Compile(), QuadratureRules.DefaultOrder);
        var tables = KernelLookupTable.Build(network, 1.0);
        Assert.All(tables.Reports, r => Assert.True(r.Tabulated, r.Note));
        Assert.Contains(tables.Reports, r => r.SharedWith >= 0);
        foreach (var report in tables.Reports.Where(r => r.SharedWith >= 0))
        {
            Assert.Equal(tables.Layers[report.SharedWith], tables.Layers[report.Layer]);
        }
    }

    public static TheoryData<int, int> MnistKernels => new() { { 3, 30 }, { 1, 30 } };

    /// <summary>
    /// An MNIST-sized kernel (embedded digits, standardised as the experiments do) through the CPU
    /// map with and without tables: the lower triangle of K_DD and a train×test rectangle agree within
    /// <see cref="KernelTolerance"/> of the largest entry, for the NNGP and the NTK.
    /// </summary>
    [Theory]
    [MemberData(nameof(MnistKernels))]
    public void MnistTanhKernel_WithAndWithoutTables_Agree(int depth, int count)
    {
        var digits = Datasets.Mnist10k();
        var x = Preprocessing.StandardisePerExample(digits.Images.SubMatrix(0, count, 0, digits.Images.ColumnCount));
        var xTest = Preprocessing.StandardisePerExample(digits.Images.SubMatrix(count, 8, 0, digits.Images.ColumnCount));
        var network = HostPreparation.View(Nngp.FullyConnected(depth, Nngp.Tanh(), 1.96, 0.62).Compile(), QuadratureRules.DefaultOrder);
        int d = x.ColumnCount;
        double[] gram = x.Multiply(x.Transpose()).Divide(d).ToColumnMajorArray();
        double[] cross = x.Multiply(xTest.Transpose()).Divide(d).ToColumnMajorArray();
        double[] q0 = TestMatrices.Diagonal(gram, count);
        double[] q0Test = HostPreparation.InputVariances(xTest.ToColumnMajorArray(), 8, d);

        var tables = HostPreparation.Tables(network, q0, LookupTableMode.Auto);
        Assert.NotNull(tables);
        Assert.All(tables.Reports, r => Assert.True(r.Tabulated, r.Note));

        var kind = depth == 3 ? KernelKind.Ntk : KernelKind.Nngp;
        var counter = new ProgressCounter(null, Stage.LayerMap, 1);
        var (variances, diagonal) = HostPreparation.Diagonals(network, q0, kind);
        var (tableVariances, tableDiagonal) = HostPreparation.Diagonals(network, q0, kind, tables);
        var (testVariances, _) = HostPreparation.Diagonals(network, q0Test, kind);
        var (tableTestVariances, _) = HostPreparation.Diagonals(network, q0Test, kind, tables);
        double[] direct = (double[])gram.Clone();
        double[] viaTable = (double[])gram.Clone();
        HostKernelMap.MapLowerTriangle(network, direct, count, variances, kind, counter);
        HostKernelMap.MapLowerTriangle(network, viaTable, count, tableVariances, kind, counter, tables);
        double[] directCross = (double[])cross.Clone();
        double[] tableCross = (double[])cross.Clone();
        HostKernelMap.MapRectangle(network, directCross, count, 8, variances, testVariances, kind, counter);
        HostKernelMap.MapRectangle(network, tableCross, count, 8, tableVariances, tableTestVariances, kind, counter, tables);

        double scale = diagonal.Max();
        double worst = 0;
        for (int j = 0; j < count; j++)
        {
            for (int i = j; i < count; i++)
            {
                worst = Math.Max(worst, Math.Abs(direct[(long)j * count + i] - viaTable[(long)j * count + i]));
            }
        }

        for (int i = 0; i < directCross.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(directCross[i] - tableCross[i]));
        }

        for (int i = 0; i < count; i++)
        {
            worst = Math.Max(worst, Math.Abs(diagonal[i] - tableDiagonal[i]));
        }

        Assert.True(worst <= KernelTolerance * scale, $"depth {depth}: largest difference {worst:G3} of a largest entry {scale:G6}");
    }
}
