using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests.LayerPlans;

/// <summary>
/// The kernel record's invariants (shapes, one diagonal for a symmetric record, NTK all or nothing)
/// and the single operations against their formulas written out here.
/// </summary>
public sealed class KernelRecordTests
{
    private static readonly QuadratureRule Rule = QuadratureRules.Get(QuadratureRules.DefaultOrder);

    [Fact]
    public void FromPoints_IsTheInputCovariance_WithAZeroNtk()
    {
        double[] x = PlanInputs.Points(4, 3), y = PlanInputs.Points(3, 4);
        const int d = PlanInputs.Dimension;

        var record = KernelRecord.FromPoints(x, 4, y, 3, d, withNtk: true);

        Assert.False(record.IsSymmetric);
        Assert.Null(record.Shape);
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                double dot = 0;
                for (int k = 0; k < d; k++)
                {
                    dot += x[ColumnMajor.Index(i, k, 4)] * y[ColumnMajor.Index(j, k, 3)];
                }

                Assert.Equal(dot / d, record.NngpAt(i, j), 15);
                Assert.Equal(0, record.NtkAt(i, j));
            }

            double norm = 0;
            for (int k = 0; k < d; k++)
            {
                norm += x[ColumnMajor.Index(i, k, 4)] * x[ColumnMajor.Index(i, k, 4)];
            }

            Assert.Equal(norm / d, record.RowVariance.Span[i], 15);
            Assert.Equal(0, record.RowNtkDiagonal.Span[i]);
        }
    }

    [Fact]
    public void Records_RefuseInconsistentParts()
    {
        double[] q = [1, 1];
        Assert.Throws<ArgumentException>(() => KernelRecord.Rectangular(2, 2, new double[3], q, q));
        Assert.Throws<ArgumentException>(() => KernelRecord.Rectangular(2, 3, new double[6], q, q));
        Assert.Throws<ArgumentException>(() => KernelRecord.Rectangular(2, 2, new double[4], q, q, ntk: new double[4]));
        Assert.Throws<ArgumentException>(() => KernelRecord.Symmetric(2, new double[4], q, new double[4], [0, 0, 0]));
        Assert.Throws<ArgumentException>(() => KernelRecord.Input(2, 2, symmetric: true, new double[4], q, [1, 1], withNtk: false));
        Assert.Throws<ArgumentException>(() => KernelRecord.FromPoints(new double[10], 2, null, 3, 5, withNtk: false));

        var shaped = KernelRecord.Symmetric(2, new double[4 * 36], new double[2 * 36], shape: new SpatialShape(2, 3));
        Assert.Equal(36, shaped.PairBlockLength);
        Assert.Equal(36, shaped.PointBlockLength);
        Assert.Throws<ArgumentException>(() => KernelRecord.Symmetric(2, new double[4], q, shape: new SpatialShape(2, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialShape(0, 3));
    }

    [Fact]
    public void DenseOperations_RefuseAShapedRecord()
    {
        var shaped = KernelRecord.Symmetric(1, new double[4], new double[4], shape: new SpatialShape(1, 2));
        var plan = LayerPlan.Compile(PlanInputs.Network("relu", 1), LayerFusion.LayerByLayer);

        // An activation acts per pixel pair on a shaped record (the spatial tests); the dense ones refuse it.
        foreach (ILayerOperation operation in plan.Operations.Add(LayerPlan.Compile(PlanInputs.Network("relu", 1)).FusedChain!).Where(o => o is not ActivationOperation))
        {
            var error = Assert.Throws<InvalidOperationException>(() => operation.Apply(shaped, Rule));
            Assert.Contains("needs a flat kernel", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheFusedChain_StartsOnlyFromAZeroNtk()
    {
        var chain = LayerPlan.Compile(PlanInputs.Network("relu", 1)).FusedChain!;
        KernelRecord afterDense = new DenseOperation(new DenseVariances(1.5, 0.1)).Apply(PlanInputs.Input(symmetric: false), Rule);

        Assert.Throws<InvalidOperationException>(() => chain.Apply(afterDense, Rule));
    }

    [Fact]
    public void Dense_IsTheAffineMap_OnEveryPart()
    {
        const double w = 0.8, b = 0.3;
        KernelRecord input = new ActivationOperation(Nngp.Relu()).Apply(
            new DenseOperation(new DenseVariances(1.5, 0.1)).Apply(PlanInputs.Input(symmetric: false), Rule), Rule);

        KernelRecord output = new DenseOperation(new DenseVariances(w, b)).Apply(input, Rule);

        for (int i = 0; i < input.Rows; i++)
        {
            for (int j = 0; j < input.Columns; j++)
            {
                double k = b + w * input.NngpAt(i, j);
                Assert.Equal(k, output.NngpAt(i, j));
                Assert.Equal(k + w * input.NtkAt(i, j), output.NtkAt(i, j));
            }
        }

        for (int j = 0; j < input.Columns; j++)
        {
            double q = b + w * input.ColumnVariance.Span[j];
            Assert.Equal(q, output.ColumnVariance.Span[j]);
            Assert.Equal(q + w * input.ColumnNtkDiagonal.Span[j], output.ColumnNtkDiagonal.Span[j]);
        }
    }

    /// <summary>Erf on one record, against F = (2/π)·asin(2k12/√((1+2k11)(1+2k22))) and its Ḟ written out here.</summary>
    [Fact]
    public void Erf_IsItsClosedForm_WithTheRecordsDiagonals()
    {
        KernelRecord input = new DenseOperation(new DenseVariances(1.5, 0.1)).Apply(PlanInputs.Input(symmetric: false), Rule);

        KernelRecord output = new ActivationOperation(Nngp.Erf()).Apply(input, Rule);

        for (int i = 0; i < input.Rows; i++)
        {
            for (int j = 0; j < input.Columns; j++)
            {
                double k12 = input.NngpAt(i, j), k11 = input.RowVariance.Span[i], k22 = input.ColumnVariance.Span[j];
                double denominator = (1 + 2 * k11) * (1 + 2 * k22);
                double f = 2 / Math.PI * Math.Asin(2 * k12 / Math.Sqrt(denominator));
                double fDot = 4 / Math.PI / Math.Sqrt(denominator - 4 * k12 * k12);
                Assert.True(Math.Abs(output.NngpAt(i, j) - f) <= 1e-14, FormattableString.Invariant($"F ({i}, {j}): {output.NngpAt(i, j):R} against {f:R}"));
                Assert.True(Math.Abs(output.NtkAt(i, j) - fDot * input.NtkAt(i, j)) <= 1e-14 * Math.Abs(fDot * input.NtkAt(i, j)), FormattableString.Invariant($"Θ̃ ({i}, {j}): {output.NtkAt(i, j):R} against {fDot * input.NtkAt(i, j):R}"));
            }
        }
    }
}
