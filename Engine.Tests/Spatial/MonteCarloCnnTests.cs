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
    private const int Count = 3;

    // The relative deviation of a mean of n·S weakly dependent channel terms is about 1/√(n·S) per
    // unit of their spread; the bound leaves room for the maximum over the pairs (measured: see docs/mathematics.md).
    private const double NngpBoundConstant = 5;

    // The gradient inner product also carries the drawn readout's spread.
    private const double NtkBoundConstant = 8;

    private static readonly ImageShape Shape = new(4, 4, 2);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SampledCnns_ApproachTheNngp_AsTheWidthGrows(bool globalPool) =>
        AssertConverges(
            globalPool ? "gap NNGP" : "flatten NNGP",
            globalPool ? new GlobalAvgPoolOperation() : new FlattenOperation(),
            KernelKind.Nngp,
            NngpBoundConstant,
            (network, images) =>
            {
                double[][] features = [.. images.Select(network.Features)];
                return (a, b) => SampledCnn.Readout(features[a], features[b], Shape.Height * Shape.Width, network.Channels, globalPool, Sw, Sb);
            });

    [Fact]
    public void SampledCnnGradients_ApproachTheNtk_AsTheWidthGrows() =>
        AssertConverges(
            "flatten NTK",
            new FlattenOperation(),
            KernelKind.Ntk,
            NtkBoundConstant,
            (network, images) =>
            {
                double[][] gradients = [.. images.Select(network.Gradient)];
                return (a, b) => SampledCnn.Dot(gradients[a], gradients[b]);
            });

    /// <summary>
    /// Conv 3×3 same → ReLU → Conv 3×3 same → ReLU → <paramref name="readout"/> → Dense against the mean
    /// over <see cref="Samples"/> sampled networks of <paramref name="sample"/>'s per-pair estimate, at 64 and 512 channels.
    /// </summary>
    private static void AssertConverges(
        string what, ILayerOperation readout, KernelKind kind, double boundConstant, Func<SampledCnn, double[][], Func<int, int, double>> sample)
    {
        double[] matrix = SpatialImages.Random(Count, Shape, 21);
        var images = Enumerable.Range(0, Count).Select(n => SampledCnn.Flatten(SpatialImages.Image(matrix, Count, n, Shape))).ToArray();
        KernelRecord kernel = SpatialImages.Apply(ImageInput.FromImages(matrix, Count, Shape, null, Count, Shape, withNtk: kind == KernelKind.Ntk),
        [
            new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, Sw, Sb)),
            new ActivationOperation(Nngp.ActivationByName("relu")),
            new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, Sw, Sb)),
            new ActivationOperation(Nngp.ActivationByName("relu")),
            readout,
            new DenseOperation(new DenseVariances(Sw, Sb)),
        ]);
        double Exact(int a, int b) => kind == KernelKind.Ntk ? kernel.NtkAt(a, b) : kernel.NngpAt(a, b);

        var deviations = new Dictionary<int, double>();
        foreach (int channels in new[] { 64, 512 })
        {
            var estimate = new double[Count, Count];
            var random = new Random(1000 * (int)kind + channels);
            for (int s = 0; s < Samples; s++)
            {
                Func<int, int, double> entry = sample(new SampledCnn(Shape.Height, Shape.Width, Shape.Channels, channels, Sw, Sb, random), images);
                for (int a = 0; a < Count; a++)
                {
                    for (int b = 0; b <= a; b++)
                    {
                        estimate[a, b] += entry(a, b) / Samples;
                    }
                }
            }

            double worst = 0;
            for (int a = 0; a < Count; a++)
            {
                for (int b = 0; b <= a; b++)
                {
                    worst = Math.Max(worst, Math.Abs(estimate[a, b] - Exact(a, b)) / Math.Sqrt(Exact(a, a) * Exact(b, b)));
                }
            }

            deviations[channels] = worst;
            double bound = boundConstant / Math.Sqrt(channels * Samples);
            string line = FormattableString.Invariant($"{what}, {channels} channels: max relative deviation {worst:G3}, bound {bound:G3}");
            TestContext.Current.TestOutputHelper?.WriteLine(line);
            Assert.True(worst <= bound, line);
        }

        Assert.True(deviations[512] < deviations[64], FormattableString.Invariant($"{what}: deviation at 512 channels {deviations[512]:G3}, at 64 {deviations[64]:G3}"));
    }
}
