using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using Xunit;

namespace GpuNngp.Engine.Tests.LayerPlans;

/// <summary>
/// The network as a plan of layer operations: the layer-by-layer plan, applied to the kernel record
/// step by step, gives the kernels of the fused all-layers map (<c>HostKernelMap</c>, the CPU's
/// production path): the NNGP bit for bit, the NTK to 1e-13 of each entry's scale, square and rectangular; the fused
/// operation gives them bit for bit; the diagonals follow <see cref="LayerRecursion.Diagonal{TNetwork}"/>'s
/// chain; and the planner's choices and messages are the ones stated.
/// </summary>
public sealed class LayerPlanTests
{
    private const double Tolerance = 1e-13;

    private static readonly QuadratureRule Rule = QuadratureRules.Get(QuadratureRules.DefaultOrder);

    public static TheoryData<string, int, bool> Cases()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (string activation in new[] { "relu", "erf", "tanh", "identity" })
        {
            foreach (int depth in new[] { 0, 1, 3, 10 })
            {
                data.Add(activation, depth, true);
                data.Add(activation, depth, false);
            }
        }

        // A user's delegate takes the same route as a built-in activation without a closed form.
        data.Add("custom-tanh", 3, true);
        data.Add("custom-tanh", 3, false);

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LayerByLayer_EqualsTheFusedMap(string activation, int depth, bool symmetric)
    {
        var network = PlanInputs.Network(activation, depth);
        var input = PlanInputs.InputFor(activation, symmetric);
        var plan = LayerPlan.Compile(network, LayerFusion.LayerByLayer);
        Assert.Equal(2 * depth + 1, plan.Operations.Length);

        KernelRecord output = plan.Apply(input, Rule);

        Assert.True(output.TracksNtk);
        foreach (var kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            var (expected, rowDiagonal, columnDiagonal) = PlanInputs.FusedMap(network.Compile(), input, kind);
            double[] actual = (kind == KernelKind.Nngp ? output.Nngp : output.Ntk).ToArray();
            foreach (var (row, column, index) in PlanInputs.MappedEntries(input))
            {
                // The NNGP takes the same operations in the same order: bit for bit. The NTK's
                // σw²·(Ḟ·Θ) rounds differently from the recursion's (σw²·Ḟ)·Θ: measured ≤ 2.8e-16 of the scale.
                double scale = Math.Max(Math.Abs(expected[index]), Math.Sqrt(rowDiagonal[row] * columnDiagonal[column]));
                double tolerance = kind == KernelKind.Nngp ? 0 : Tolerance * scale;
                Assert.True(
                    Math.Abs(actual[index] - expected[index]) <= tolerance,
                    FormattableString.Invariant($"{activation} depth {depth} {kind} ({row}, {column}): plan {actual[index]:R}, fused map {expected[index]:R}"));
            }

            AssertClose(rowDiagonal, kind == KernelKind.Nngp ? output.RowVariance : output.RowNtkDiagonal, $"{kind} row diagonal");
            AssertClose(columnDiagonal, kind == KernelKind.Nngp ? output.ColumnVariance : output.ColumnNtkDiagonal, $"{kind} column diagonal");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedOperation_EqualsTheFusedMap_BitForBit(string activation, int depth, bool symmetric)
    {
        var network = PlanInputs.Network(activation, depth);
        var input = PlanInputs.InputFor(activation, symmetric);
        var plan = LayerPlan.Compile(network);

        KernelRecord output = plan.Apply(input, Rule);

        foreach (var kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            var (expected, rowDiagonal, columnDiagonal) = PlanInputs.FusedMap(network.Compile(), input, kind);
            double[] actual = (kind == KernelKind.Nngp ? output.Nngp : output.Ntk).ToArray();
            foreach (var (row, column, index) in PlanInputs.MappedEntries(input))
            {
                Assert.Equal(expected[index], actual[index]);
            }

            Assert.Equal(rowDiagonal, (kind == KernelKind.Nngp ? output.RowVariance : output.RowNtkDiagonal).ToArray());
            Assert.Equal(columnDiagonal, (kind == KernelKind.Nngp ? output.ColumnVariance : output.ColumnNtkDiagonal).ToArray());
        }
    }

    [Theory]
    [InlineData("relu", true)]
    [InlineData("tanh", false)]
    public void WithoutTheNtk_TheNngpIsTheSame(string activation, bool symmetric)
    {
        var plan = LayerPlan.Compile(PlanInputs.Network(activation, 3), LayerFusion.LayerByLayer);

        KernelRecord both = plan.Apply(PlanInputs.InputFor(activation, symmetric), Rule);
        KernelRecord nngpOnly = plan.Apply(PlanInputs.InputFor(activation, symmetric, withNtk: false), Rule);

        Assert.False(nngpOnly.TracksNtk);
        Assert.Throws<InvalidOperationException>(() => nngpOnly.Ntk);
        AssertClose(both.Nngp, nngpOnly.Nngp, "NNGP");
        AssertClose(both.RowVariance, nngpOnly.RowVariance, "row variances");
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("erf")]
    [InlineData("tanh")]
    [InlineData("identity")]
    public void DiagonalsAfterEachDenseLayer_FollowTheDiagonalChain(string activation)
    {
        const int depth = 3;
        var network = PlanInputs.Network(activation, depth);
        var view = network.Compile().HostView(Rule);
        var plan = LayerPlan.Compile(network, LayerFusion.LayerByLayer);
        KernelRecord record = PlanInputs.InputFor(activation, symmetric: false);
        double[] rowQ0 = record.RowVariance.ToArray(), columnQ0 = record.ColumnVariance.ToArray();

        var afterDense = new List<KernelRecord>();
        foreach (ILayerOperation operation in plan.Operations)
        {
            record = operation.Apply(record, Rule);
            if (operation is DenseOperation)
            {
                afterDense.Add(record);
            }

            if (operation is ActivationOperation)
            {
                Assert.True(record.RowVariance.Span.IndexOfAnyExcept(record.RowVariance.Span[0]) >= 0, "the points' variances differ");
            }
        }

        Assert.Equal(depth + 1, afterDense.Count);
        foreach (var (q0, rows) in new[] { (rowQ0, true), (columnQ0, false) })
        {
            var chain = new double[depth];
            for (int point = 0; point < q0.Length; point++)
            {
                var (nngp, ntk) = LayerRecursion.Diagonal(view, q0[point], chain);
                for (int layer = 0; layer <= depth; layer++)
                {
                    double expected = layer < depth ? chain[layer] : nngp;
                    double actual = (rows ? afterDense[layer].RowVariance : afterDense[layer].ColumnVariance).Span[point];
                    Assert.True(Math.Abs(actual - expected) <= Tolerance * expected, FormattableString.Invariant($"{activation} q_{layer + 1} of point {point}: plan {actual:R}, chain {expected:R}"));
                }

                double theta = (rows ? afterDense[depth].RowNtkDiagonal : afterDense[depth].ColumnNtkDiagonal).Span[point];
                Assert.True(Math.Abs(theta - ntk) <= Tolerance * ntk, FormattableString.Invariant($"{activation} Θ(x, x) of point {point}: plan {theta:R}, chain {ntk:R}"));
            }
        }
    }

    [Theory]
    [InlineData("relu", false)]
    [InlineData("tanh", false)]
    [InlineData("relu", true)]
    public void SymmetricRecords_AreSymmetric_AndTheirMatrixDiagonalIsTheirDiagonal(string activation, bool fused)
    {
        var plan = LayerPlan.Compile(PlanInputs.Network(activation, 3), Fusion(fused));
        KernelRecord record = PlanInputs.InputFor(activation, symmetric: true);
        foreach (ILayerOperation operation in plan.Operations)
        {
            record = operation.Apply(record, Rule);
            Assert.True(record.IsSymmetric);
            for (int i = 0; i < record.Rows; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    Assert.Equal(record.NngpAt(i, j), record.NngpAt(j, i));
                    Assert.Equal(record.NtkAt(i, j), record.NtkAt(j, i));
                }

                double q = record.RowVariance.Span[i], theta = record.RowNtkDiagonal.Span[i];
                Assert.True(Math.Abs(record.NngpAt(i, i) - q) <= Tolerance * q, $"{operation}: K({i}, {i}) {record.NngpAt(i, i)} against q {q}");
                Assert.True(Math.Abs(record.NtkAt(i, i) - theta) <= Tolerance * theta, $"{operation}: Θ({i}, {i}) {record.NtkAt(i, i)} against {theta}");
            }
        }
    }

    /// <summary>
    /// Depth-1 ReLU written out here (Cho &amp; Saul's arc-cosine kernel with Math.Acos): K¹ = σb² + σw²K⁰,
    /// K² = σb² + σw²·√(k11 k22)/(2π)·(sin θ + (π − θ) cos θ), Θ² = K² + σw²·(π − θ)/(2π)·K¹.
    /// </summary>
    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public void DepthOneRelu_IsTheArcCosineKernel(bool fused, bool symmetric)
    {
        const double w = 1.5, b = 0.1;
        var input = PlanInputs.Input(symmetric);
        KernelRecord output = LayerPlan.Compile(PlanInputs.Network("relu", 1), Fusion(fused)).Apply(input, Rule);

        for (int column = 0; column < input.Columns; column++)
        {
            for (int row = 0; row < input.Rows; row++)
            {
                double k1 = b + w * input.NngpAt(row, column);
                double k11 = b + w * input.RowVariance.Span[row], k22 = b + w * input.ColumnVariance.Span[column];
                double c = Math.Clamp(k1 / Math.Sqrt(k11 * k22), -1, 1);
                double angle = Math.Acos(c);
                double k2 = b + w * Math.Sqrt(k11 * k22) / (2 * Math.PI) * (Math.Sin(angle) + (Math.PI - angle) * c);
                double theta2 = k2 + w * (Math.PI - angle) / (2 * Math.PI) * k1;
                double q11 = b + w * k11 / 2, q22 = b + w * k22 / 2;
                double scale = Math.Sqrt(q11 * q22), thetaScale = Math.Sqrt((q11 + w * k11 / 2) * (q22 + w * k22 / 2));
                Assert.True(Math.Abs(output.NngpAt(row, column) - k2) <= Tolerance * scale, FormattableString.Invariant($"K ({row}, {column}): plan {output.NngpAt(row, column):R}, closed form {k2:R}"));
                Assert.True(Math.Abs(output.NtkAt(row, column) - theta2) <= Tolerance * thetaScale, FormattableString.Invariant($"Θ ({row}, {column}): plan {output.NtkAt(row, column):R}, closed form {theta2:R}"));
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Planner_FusesADenseChain_IntoOneOperation(int depth)
    {
        var network = PlanInputs.Network("tanh", depth);

        var plan = LayerPlan.Compile(network);

        var chain = Assert.IsType<FusedDenseChain>(Assert.Single(plan.Operations));
        Assert.Same(chain, plan.FusedChain);
        CompiledNetwork compiled = network.Compile();
        Assert.Equal(compiled.Input, chain.Network.Input);
        Assert.Equal(compiled.Layers, chain.Network.Layers);
        Assert.Equal(compiled.Description, plan.Description);
        Assert.Equal(depth, plan.Depth);
        Assert.Equal(depth > 0, plan.UsesQuadrature);
        Assert.False(plan.HasCustomActivation);
    }

    [Fact]
    public void Planner_LayerByLayer_GivesOneOperationPerLayer()
    {
        var network = Nngp.Serial(Nngp.Dense(1.2, 0.3), Nngp.Relu(), Nngp.Dense(0.7, 0.05), Nngp.Erf(), Nngp.Dense(2, 0));

        var plan = LayerPlan.Compile(network, LayerFusion.LayerByLayer);

        Assert.Null(plan.FusedChain);
        Assert.Equal(new[] { "Dense(1.2, 0.3)", "Relu", "Dense(0.7, 0.05)", "Erf", "Dense(2, 0)" }, plan.Operations.Select(o => o.Description));
        Assert.Equal(new DenseVariances(0.7, 0.05), Assert.IsType<DenseOperation>(plan.Operations[2]).Variances);
        Assert.Equal(Activation.Erf, Assert.IsType<ActivationOperation>(plan.Operations[3]).Layer.Activation);
        Assert.Equal(2, plan.Depth);
        Assert.False(plan.UsesQuadrature);
        Assert.Equal(network.Compile().Description, plan.Description);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Planner_ReportsCustomActivationsAndQuadrature(bool fused)
    {
        var plan = LayerPlan.Compile(PlanInputs.Network("custom-tanh", 2), Fusion(fused));

        Assert.True(plan.HasCustomActivation);
        Assert.True(plan.UsesQuadrature);
        Assert.Equal(2, plan.Depth);
    }

    public static TheoryData<string, string> InvalidNetworks() => new()
    {
        { "empty", "the network has no layers: it needs at least one Dense layer" },
        { "starts with an activation", "the network must start with a Dense layer, not Relu" },
        { "ends with an activation", "the network must end with a Dense readout layer, not Relu; append Nngp.Dense(σw², σb²)" },
        { "two dense layers", "layer 2 is Dense(1, 0): dense layers and activations must alternate" },
        { "negative weight variance", "weight variance must be finite and ≥ 0, got -1 (layer 3)" },
        { "NaN bias variance", "bias variance must be finite and ≥ 0, got NaN (layer 1)" },
        { "custom without a function", "the custom activation f has no function" },
    };

    [Theory]
    [MemberData(nameof(InvalidNetworks))]
    public void InvalidNetworks_GiveTheMessagesOfCompile(string what, string message)
    {
        Network network = what switch
        {
            "empty" => Nngp.Serial(),
            "starts with an activation" => Nngp.Serial(Nngp.Relu(), Nngp.Dense(1, 0)),
            "ends with an activation" => Nngp.Serial(Nngp.Dense(1, 0), Nngp.Relu()),
            "two dense layers" => Nngp.Serial(Nngp.Dense(1, 0), Nngp.Dense(1, 0)),
            "negative weight variance" => Nngp.Serial(Nngp.Dense(1, 0), Nngp.Relu(), Nngp.Dense(-1, 0)),
            "NaN bias variance" => Nngp.Serial(Nngp.Dense(1, double.NaN)),
            _ => Nngp.Serial(Nngp.Dense(1, 0), new ActivationLayer("f", new Activation(ActivationKind.Custom)), Nngp.Dense(1, 0)),
        };

        Assert.Equal(message, Assert.Throws<NngpInputException>(() => network.Compile()).Message);
        foreach (var fusion in new[] { LayerFusion.FuseDenseChains, LayerFusion.LayerByLayer })
        {
            Assert.Equal(message, Assert.Throws<NngpInputException>(() => LayerPlan.Compile(network, fusion)).Message);
        }
    }

    private static LayerFusion Fusion(bool fused) => fused ? LayerFusion.FuseDenseChains : LayerFusion.LayerByLayer;

    private static void AssertClose(ReadOnlyMemory<double> expected, ReadOnlyMemory<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected.Span[i], a = actual.Span[i];
            Assert.True(Math.Abs(a - e) <= Tolerance * Math.Abs(e), FormattableString.Invariant($"{what}[{i}]: {a:R}, expected {e:R}"));
        }
    }
}
