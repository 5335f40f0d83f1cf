using GpuNngp.Engine.Architecture;
using GpuNngp.Kernels;
using Xunit;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>
/// The CNN-GP and CNTK of the reference operations against sampled finite CNNs (<see cref="SampledCnn"/>):
/// the mean over S networks of the empirical NNGP (Flatten and GlobalAvgPool readouts) and of the
/// gradient inner product (Flatten) approaches the infinite-width kernel as the width grows — the
/// deviation at 512 channels is below the one at 64, and each within k/√(channels·S) of the kernel's
/// scale (fixed seeds).
/// </summary>
public sealed class MonteCarloCnnTests
{
    private const double Sw = 1.6;
    private const double Sb = 0.1;
    private const int Samples = 16;

    // The relative deviation of a mean of n·S weakly dependent channel terms is about 1/√(n·S) per
    // unit of their spread; the bound leaves room for the maximum over the pairs (measured: see docs/mathematics.md).
    private const double BoundConstant = 4;

    // The gradient inner product also carries the drawn readout's spread.
    private const double NtkBoundConstant = 8;

    [Fact]
    public void SampledCnnGradients_ApproachTheNtk_AsTheWidthGrows()
    {
        var shape = new ImageShape(4, 4, 2);
        const int Count = 3;
        double[] matrix = SpatialImages.Random(Count, shape, 21);
        var images = Enumerable.Range(0, Count).Select(n => SampledCnn.Flatten(SpatialImages.Image(matrix, Count, n, shape))).ToArray();
        KernelRecord kernel = SpatialImages.Apply(ImageInput.FromImages(matrix, Count, shape, null, Count, shape, withNtk: true),
        [
            new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, Sw, Sb)),
            new ActivationOperation(Nngp.ActivationByName("relu")),
            new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, Sw, Sb)),
            new ActivationOperation(Nngp.ActivationByName("relu")),
            new FlattenOperation(),
            new DenseOperation(new DenseVariances(Sw, Sb)),
        ]);

        var deviations = new Dictionary<int, double>();
        foreach (int channels in new[] { 64, 512 })
        {
            var estimate = new double[Count, Count];
            var random = new Random(2000 + channels);
            for (int s = 0; s < Samples; s++)
            {
                var network = new SampledCnn(shape.Height, shape.Width, shape.Channels, channels, Sw, Sb, random);
                double[][] gradients = [.. images.Select(network.Gradient)];
                for (int a = 0; a < Count; a++)
                {
                    for (int b = 0; b <= a; b++)
                    {
                        estimate[a, b] += SampledCnn.Dot(gradients[a], gradients[b]) / Samples;
                    }
                }
            }

            double worst = 0;
            for (int a = 0; a < Count; a++)
            {
                for (int b = 0; b <= a; b++)
                {
                    double scale = Math.Sqrt(kernel.NtkAt(a, a) * kernel.NtkAt(b, b));
                    worst = Math.Max(worst, Math.Abs(estimate[a, b] - kernel.NtkAt(a, b)) / scale);
                }
            }

            deviations[channels] = worst;
            TestContext.Current.TestOutputHelper?.WriteLine(FormattableString.Invariant(
                $"ntk channels {channels}: max relative deviation {worst:G3}, bound {NtkBoundConstant / Math.Sqrt(channels * Samples):G3}"));
            Assert.True(
                worst <= NtkBoundConstant / Math.Sqrt(channels * Samples),
                FormattableString.Invariant($"{channels} channels: NTK deviation {worst:G3} of the kernel's scale, bound {NtkBoundConstant / Math.Sqrt(channels * Samples):G3}"));
        }

        Assert.True(deviations[512] < deviations[64], FormattableString.Invariant($"NTK deviation at 512 channels {deviations[512]:G3}, at 64 {deviations[64]:G3}"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SampledCnns_ApproachTheKernel_AsTheWidthGrows(bool globalPool)
    {
        var shape = new ImageShape(4, 4, 2);
        const int Count = 3;
        double[] matrix = SpatialImages.Random(Count, shape, 21);
        var images = Enumerable.Range(0, Count).Select(n => SampledCnn.Flatten(SpatialImages.Image(matrix, Count, n, shape))).ToArray();
        KernelRecord kernel = SpatialImages.Apply(ImageInput.FromImages(matrix, Count, shape, null, Count, shape, withNtk: false),
        [
            new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, Sw, Sb)),
            new ActivationOperation(Nngp.ActivationByName("relu")),
            new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, Sw, Sb)),
            new ActivationOperation(Nngp.ActivationByName("relu")),
            globalPool ? new GlobalAvgPoolOperation() : new FlattenOperation(),
            new DenseOperation(new DenseVariances(Sw, Sb)),
        ]);

        var deviations = new Dictionary<int, double>();
        foreach (int channels in new[] { 64, 512 })
        {
            var estimate = new double[Count, Count];
            var random = new Random(1000 + channels);
            for (int s = 0; s < Samples; s++)
            {
                var network = new SampledCnn(shape.Height, shape.Width, shape.Channels, channels, Sw, Sb, random);
                double[][] features = [.. images.Select(network.Features)];
                for (int a = 0; a < Count; a++)
                {
                    for (int b = 0; b <= a; b++)
                    {
                        estimate[a, b] += SampledCnn.Readout(features[a], features[b], shape.Height * shape.Width, channels, globalPool, Sw, Sb) / Samples;
                    }
                }
            }

            double worst = 0;
            for (int a = 0; a < Count; a++)
            {
                for (int b = 0; b <= a; b++)
                {
                    double scale = Math.Sqrt(kernel.NngpAt(a, a) * kernel.NngpAt(b, b));
                    worst = Math.Max(worst, Math.Abs(estimate[a, b] - kernel.NngpAt(a, b)) / scale);
                }
            }

            deviations[channels] = worst;
            TestContext.Current.TestOutputHelper?.WriteLine(FormattableString.Invariant(
                $"{(globalPool ? "gap" : "flatten")} channels {channels}: max relative deviation {worst:G3}, bound {BoundConstant / Math.Sqrt(channels * Samples):G3}"));
            Assert.True(
                worst <= BoundConstant / Math.Sqrt(channels * Samples),
                FormattableString.Invariant($"{channels} channels: deviation {worst:G3} of the kernel's scale, bound {BoundConstant / Math.Sqrt(channels * Samples):G3}"));
        }

        Assert.True(deviations[512] < deviations[64], FormattableString.Invariant($"deviation at 512 channels {deviations[512]:G3}, at 64 {deviations[64]:G3}"));
    }
}
