using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>
/// What the training dynamics ask of the pipeline besides one kernel: K and Θ together
/// (<see cref="KernelPipeline.ComputeBoth"/>: one pass of a convolutional plan's slices) and the
/// points' own K(x, x) or Θ(x, x) without the N × N kernel (<see cref="KernelPipeline.Diagonal"/>),
/// each against the one-kind kernels it replaces, for the three kinds of plan: fused dense,
/// convolutional (the slices), and a block the slices cannot take (the host reference).
/// </summary>
public sealed class KernelPipelineBothTests
{
    public static TheoryData<string> Plans => ["dense", "conv-flatten", "conv-gap", "reference"];

    private static (LayerPlan Plan, Matrix<double> X, Matrix<double> T) Case(string name)
    {
        var image = new ImageShape(5, 4, 2);
        Network network = name switch
        {
            "dense" => Nngp.Serial(Nngp.Dense(1.6, 0.1), Nngp.Relu(), Nngp.Dense(1.6, 0.1), Nngp.Erf(), Nngp.Dense(1.2, 0)),
            "conv-flatten" => SliceEngineTests.Cases["conv-relu-flatten"].Network.OnImages(5, 4, 2),
            "conv-gap" => SliceEngineTests.Cases["conv-relu-gap"].Network.OnImages(5, 4, 2),
            // A pooling inside a residual branch: a barrier the slices cannot hold.
            _ => Nngp.Serial(Nngp.Conv(3, 3, 1.5, 0.1), Nngp.Residual(Nngp.IdentityBranch, Nngp.Serial(Nngp.Relu(), Nngp.AvgPool(3, 3, Padding.Same, 1, 1), Nngp.Conv(3, 3, 1, 0))), Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1, 0)).OnImages(5, 4, 2),
        };
        var plan = LayerPlan.Compile(network);
        return (plan, Points(6, image, 11), Points(3, image, 12));
    }

    private static Matrix<double> Points(int count, ImageShape shape, int seed) =>
        Matrix<double>.Build.Dense(count, shape.Features, SpatialImages.Random(count, shape, seed));

    [Theory]
    [MemberData(nameof(Plans))]
    public void ComputeBoth_EqualsEachKindOnItsOwn(string name)
    {
        (LayerPlan plan, Matrix<double> x, Matrix<double> t) = Case(name);
        using var provider = new CpuProvider(HostLinearAlgebra.Managed);
        var options = new KernelOptions { Kind = KernelKind.Ntk };
        CancellationToken token = TestContext.Current.CancellationToken;
        foreach (Matrix<double>? x2 in new[] { null, t })
        {
            (HostMatrix k, HostMatrix theta) = KernelPipeline.ComputeBoth(provider, plan, x, x2, options, token);
            using (k)
            using (theta)
            {
                using HostMatrix kAlone = KernelPipeline.Compute(provider, plan, x, x2, options with { Kind = KernelKind.Nngp }, token);
                using HostMatrix thetaAlone = KernelPipeline.Compute(provider, plan, x, x2, options, token);
                Assert.Equal(kAlone.ToMatrix(), k.ToMatrix());
                Assert.Equal(thetaAlone.ToMatrix(), theta.ToMatrix());
                Assert.NotEqual(k.ToMatrix(), theta.ToMatrix());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Diagonal_IsTheSquareKernelsDiagonal(string name)
    {
        (LayerPlan plan, Matrix<double> x, _) = Case(name);
        using var provider = new CpuProvider(HostLinearAlgebra.Managed);
        CancellationToken token = TestContext.Current.CancellationToken;
        foreach (KernelKind kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            var options = new KernelOptions { Kind = kind };
            using HostMatrix square = KernelPipeline.Compute(provider, plan, x, null, options, token);
            double[] diagonal = KernelPipeline.Diagonal(provider, plan, x, options, token);
            Assert.Equal(x.RowCount, diagonal.Length);
            for (int i = 0; i < x.RowCount; i++)
            {
                // The square's diagonal is the same own runs (or recursion) for the first two plans;
                // the reference's square and its rectangle agree to rounding.
                Assert.True(Math.Abs(square[i, i] - diagonal[i]) <= 1e-13 * Math.Abs(square[i, i]), $"{name} {kind} point {i}: {square[i, i]} vs {diagonal[i]}");
            }
        }
    }
}
