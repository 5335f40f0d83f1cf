using GpuNngp.Kernels;
using GpuNngp.Kernels.Simd;
using Xunit;

namespace GpuNngp.Engine.Tests.Simd;

/// <summary>
/// The CPU's SIMD path must equal the scalar path (which the GPU shares) bit for bit, at every
/// bundle width. A width the hardware lacks is emulated by the runtime with the same IEEE operations,
/// so both widths are checked on every machine.
/// </summary>
public sealed class VectorKernelTests
{
    public static TheoryData<string, string> ActivationsAndWidths => new()
    {
        { "relu", nameof(Vector256Pair) }, { "leaky-relu", nameof(Vector256Pair) }, { "abs", nameof(Vector256Pair) },
        { "identity", nameof(Vector256Pair) }, { "erf", nameof(Vector256Pair) },
        { "relu", nameof(Vector512Pair) }, { "leaky-relu", nameof(Vector512Pair) }, { "abs", nameof(Vector512Pair) },
        { "identity", nameof(Vector512Pair) }, { "erf", nameof(Vector512Pair) },
    };

    [Theory]
    [MemberData(nameof(ActivationsAndWidths))]
    public void VectorEntry_EqualsScalarEntry_BitForBit(string activation, string width)
    {
        if (width == nameof(Vector512Pair))
        {
            CheckEntries<Vector512Pair>(activation);
        }
        else
        {
            CheckEntries<Vector256Pair>(activation);
        }
    }

    [Fact]
    public void VectorAcosAndAsin_EqualScalar_BitForBit()
    {
        CheckInverseTrigonometry<Vector256Pair>();
        CheckInverseTrigonometry<Vector512Pair>();
    }

    [Fact]
    public void HostMap_UsesTheWidestNativeBundle_AndTheScalarPathWithoutAVectorForm()
    {
        var relu = Network(Nngp.Relu().Activation, layers: 2);
        var tanh = Network(Nngp.Tanh().Activation, layers: 2);
        var expected = Vector512Pair.IsHardwareAccelerated ? Cpu.LaneWidth.Two512
            : Vector256Pair.IsHardwareAccelerated ? Cpu.LaneWidth.Two256
            : Cpu.LaneWidth.Scalar;
        Assert.Equal(expected, Cpu.ColumnMap.WidestFor(relu));
        Assert.Equal(Cpu.LaneWidth.Scalar, Cpu.ColumnMap.WidestFor(tanh));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public unsafe void HostMapColumn_EqualsScalarEntries_ForEveryTailLength(int width)
    {
        // Row ranges that leave every tail length behind the bundles, starting anywhere (the lower
        // triangle starts at the diagonal), at each width the host map can choose.
        var lanes = (Cpu.LaneWidth)width;
        var network = Network(Nngp.Erf().Activation, layers: 3);
        var random = new Random(51);
        const int rows = 41;
        double[] rowQ = Enumerable.Range(0, 3 * rows).Select(_ => 0.2 + 3 * random.NextDouble()).ToArray();
        double[] columnQ = [0.9, 1.3, 2.1];
        for (int first = 0; first < 20; first += 3)
        {
            double[] gram = Enumerable.Range(0, rows).Select(_ => 1.4 * random.NextDouble() - 0.7).ToArray();
            using var native = Solvers.HostBuffer.CopyOf(gram);
            new Cpu.ColumnMap(network, native.Pointer, rowQ, rows, columnQ, 1, KernelKind.Ntk, lanes).Map(0, first);
            double[] mapped = native.ToArray();
            var rowView = new HostDiagonalView(rowQ, rows);
            var columnView = new HostDiagonalView(columnQ, 1);
            for (int row = 0; row < rows; row++)
            {
                double expected = row < first ? gram[row] : LayerRecursion.Entry(network, gram[row], rowView, row, columnView, 0, KernelKind.Ntk);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(mapped[row]));
            }
        }
    }

    private static HostNetworkView Network(Activation activation, int layers) =>
        new(new DenseVariances(1.45, 0.28),
            Enumerable.Range(0, layers).Select(l => new HiddenLayer(activation, new DenseVariances(1.2 + 0.1 * l, 0.05 * l))).ToArray(),
            QuadratureRule.GaussHermite(8));

    private static void CheckEntries<T>(string name)
        where T : struct, ISimdLanes<T>
    {
        var network = Network(Nngp.ActivationByName(name).Activation, layers: 7);
        var random = new Random(50);
        int rows = 2 * T.Count;
        const int columns = 5;
        double[] rowQ = Enumerable.Range(0, 7 * rows).Select(_ => 0.2 + 3 * random.NextDouble()).ToArray();
        double[] columnQ = Enumerable.Range(0, 7 * columns).Select(_ => 0.2 + 3 * random.NextDouble()).ToArray();
        var rowView = new HostDiagonalView(rowQ, rows);
        var columnView = new HostDiagonalView(columnQ, columns);

        foreach (var kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            for (int column = 0; column < columns; column++)
            {
                for (int row = 0; row < rows; row += T.Count)
                {
                    // Correlations from −1 to 1, the edges included.
                    double[] gram = Enumerable.Range(0, T.Count).Select(i => (i == 0 ? 1.0 : (i == 1 ? -1.0 : 2 * random.NextDouble() - 1)) * 0.7).ToArray();
                    var vector = VectorLayerRecursion.Entry(network, T.Load(gram, 0), rowQ, rows, row, columnQ, columns, column, kind);
                    for (int lane = 0; lane < T.Count; lane++)
                    {
                        double scalar = LayerRecursion.Entry(network, gram[lane], rowView, row + lane, columnView, column, kind);
                        Assert.Equal(BitConverter.DoubleToInt64Bits(scalar), BitConverter.DoubleToInt64Bits(vector.Lane(lane)));
                    }
                }
            }
        }
    }

    private static void CheckInverseTrigonometry<T>()
        where T : struct, ISimdLanes<T>
    {
        var values = new double[T.Count];
        for (int i = -1000; i <= 1000; i += T.Count)
        {
            for (int lane = 0; lane < T.Count; lane++)
            {
                values[lane] = Math.Min(1, (i + lane) / 1000.0);
            }

            var c = T.Load(values, 0);
            var s = VectorScalarMath.SqrtOneMinusSquare(c);
            var acos = VectorScalarMath.Acos(c, s);
            var asin = VectorScalarMath.Asin(c);
            for (int lane = 0; lane < T.Count; lane++)
            {
                Assert.Equal(ScalarMath.SqrtOneMinusSquare(values[lane]), s.Lane(lane));
                Assert.Equal(ScalarMath.Acos(values[lane], s.Lane(lane)), acos.Lane(lane));
                Assert.Equal(ScalarMath.Asin(values[lane]), asin.Lane(lane));
            }
        }
    }
}
