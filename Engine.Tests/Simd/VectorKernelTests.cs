using System.Runtime.Intrinsics;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Simd;
using Xunit;

namespace GpuNngp.Engine.Tests.Simd;

/// <summary>The CPU's SIMD path must equal the scalar path (which the GPU shares) bit for bit.</summary>
public sealed class VectorKernelTests
{
    public static TheoryData<string> Activations => ["relu", "leaky-relu", "abs", "identity", "erf"];

    [Theory]
    [MemberData(nameof(Activations))]
    public void VectorEntry_EqualsScalarEntry_BitForBit(string name)
    {
        Assert.SkipUnless(Vector256.IsHardwareAccelerated, "no 256-bit vector hardware: the scalar path runs");
        var activation = Architecture.Nngp.ActivationByName(name).Activation;
        var layers = Enumerable.Range(0, 7).Select(l => new HiddenLayer(activation, new DenseVariances(1.2 + 0.1 * l, 0.05 * l))).ToArray();
        var network = new HostNetworkView(new DenseVariances(1.45, 0.28), layers, GaussHermiteRule.Create(8));
        var random = new Random(50);
        const int rows = 16, columns = 5;
        double[] rowQ = Enumerable.Range(0, 7 * rows).Select(_ => 0.2 + 3 * random.NextDouble()).ToArray();
        double[] columnQ = Enumerable.Range(0, 7 * columns).Select(_ => 0.2 + 3 * random.NextDouble()).ToArray();
        var rowView = new HostDiagonalView(rowQ, rows);
        var columnView = new HostDiagonalView(columnQ, columns);

        foreach (var kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            for (int column = 0; column < columns; column++)
            {
                for (int row = 0; row < rows; row += 4)
                {
                    // Correlations from −1 to 1, the edges included.
                    double[] gram = Enumerable.Range(0, 4).Select(i => (i == 0 ? 1.0 : (i == 1 ? -1.0 : 2 * random.NextDouble() - 1)) * 0.7).ToArray();
                    var vector = VectorLayerRecursion.Entry(network, Vector256.Create(gram), rowQ, rows, row, columnQ, columns, column, kind);
                    for (int lane = 0; lane < 4; lane++)
                    {
                        double scalar = LayerRecursion.Entry(network, gram[lane], rowView, row + lane, columnView, column, kind);
                        Assert.Equal(BitConverter.DoubleToInt64Bits(scalar), BitConverter.DoubleToInt64Bits(vector[lane]));
                    }
                }
            }
        }
    }

    [Fact]
    public void VectorAcosAndAsin_EqualScalar_BitForBit()
    {
        Assert.SkipUnless(Vector256.IsHardwareAccelerated, "no 256-bit vector hardware: the scalar path runs");
        for (int i = -1000; i <= 1000; i += 4)
        {
            var c = Vector256.Create(i / 1000.0, (i + 1) / 1000.0, (i + 2) / 1000.0, Math.Min(1, (i + 3) / 1000.0));
            var s = VectorScalarMath.SqrtOneMinusSquare(c);
            var acos = VectorScalarMath.Acos(c, s);
            var asin = VectorScalarMath.Asin(c);
            for (int lane = 0; lane < 4; lane++)
            {
                Assert.Equal(ScalarMath.SqrtOneMinusSquare(c[lane]), s[lane]);
                Assert.Equal(ScalarMath.Acos(c[lane], s[lane]), acos[lane]);
                Assert.Equal(ScalarMath.Asin(c[lane]), asin[lane]);
            }
        }
    }
}
