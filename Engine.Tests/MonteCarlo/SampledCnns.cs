using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.MonteCarlo;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.MonteCarlo;

/// <summary>
/// Small convolutional networks that between them use every layer the Monte Carlo sampler draws —
/// Conv with same, valid and circular padding, strides and a 1 × 1 filter, AvgPool (valid, and same
/// with stride 1), GlobalAvgPool, Flatten, Dense layers after the readout, smooth activations, a
/// residual block with an identity branch, and one as the very first layer — and their inputs.
/// </summary>
internal static class SampledCnns
{
    public static TheoryData<string> Names => ["strided-same", "valid-pool", "circular-gap", "residual", "residual-first"];

    public static Network Build(string name) => name switch
    {
        "strided-same" => Nngp.Serial(
            Nngp.Conv(3, 3, 1.6, 0.1, Padding.Same, 2, 2), Nngp.Tanh(), Nngp.Conv(2, 2, 1.2, 0.2), Nngp.Erf(), Nngp.Flatten(), Nngp.Dense(1.5, 0.2)).OnImages(5, 5, 2),
        "valid-pool" => Nngp.Serial(
            Nngp.Conv(3, 3, 1.6, 0.1, Padding.Valid), Nngp.Gelu(), Nngp.AvgPool(2, 2), Nngp.Softplus(), Nngp.Conv(1, 1, 1.4, 0.3), Nngp.Sigmoid(), Nngp.Flatten(), Nngp.Dense(1.5, 0.2)).OnImages(6, 6, 2),
        "circular-gap" => Nngp.Serial(
            Nngp.Conv(3, 3, 2, 0.1, Padding.Circular), Nngp.Swish(), Nngp.AvgPool(3, 3, Padding.Same, 1, 1), Nngp.Conv(3, 3, 1.5, 0, Padding.Circular, 2, 1), Nngp.Tanh(),
            Nngp.GlobalAvgPool(), Nngp.Dense(1.4, 0.1), Nngp.Erf(), Nngp.Dense(1.3, 0.2)).OnImages(4, 5, 2),
        "residual" => Nngp.Serial(
            Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Tanh(),
            Nngp.Residual(Nngp.Serial(Nngp.Conv(3, 3, 1.5, 0.1), Nngp.Erf(), Nngp.Conv(3, 3, 1.2, 0.05)), Nngp.IdentityBranch),
            Nngp.Gelu(), Nngp.GlobalAvgPool(), Nngp.Dense(1.5, 0.1)).OnImages(4, 4, 2),
        _ => Nngp.Serial( // the block reads the images themselves: 3 channels, as the width below
            Nngp.Residual(Nngp.Serial(Nngp.Conv(3, 3, 1.5, 0.1), Nngp.Tanh()), Nngp.IdentityBranch), Nngp.Flatten(), Nngp.Dense(1.5, 0.1)).OnImages(4, 4, 3),
    };

    /// <summary>The channels of the networks' layers in the one-draw checks (3: "residual-first" sums its images' 3 channels with a Conv's).</summary>
    public const int Width = 3;

    /// <summary><paramref name="count"/> images of the network's shape as rows, standard normal pixels from <paramref name="seed"/>.</summary>
    public static Matrix<double> Images(Network network, int count, int seed)
    {
        var random = new Random(seed);
        int features = network.InputShape!.Value.Features;
        return Matrix<double>.Build.Dense(count, features, (_, _) => Spatial.SpatialImages.Gaussian(random));
    }

    /// <summary>A sampler of <paramref name="network"/> on the CPU provider for the rows of <paramref name="x"/> (Xᵀ as its input).</summary>
    public static SampledNetwork Sampler(CpuProvider provider, Network network, Matrix<double> x, int width, bool ntk)
    {
        var inputs = new double[x.RowCount * x.ColumnCount];
        for (int p = 0; p < x.RowCount; p++)
        {
            for (int f = 0; f < x.ColumnCount; f++)
            {
                inputs[p * x.ColumnCount + f] = x[p, f];
            }
        }

        return SampledNetwork.Create(network, x.ColumnCount, width, x.RowCount, inputs, new HostSampledOperations(provider), ntk, availableBytes: null);
    }

    /// <summary>The CPU provider on the native BLAS.</summary>
    public static CpuProvider Cpu() => new(HostLinearAlgebra.Default);
}
