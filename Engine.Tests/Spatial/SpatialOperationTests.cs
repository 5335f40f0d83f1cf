using GpuNngp.Engine.Architecture;
using GpuNngp.Kernels;
using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>
/// The reference convolutional operations against <see cref="DirectCnnKernel"/>, the same kernels
/// written as plain loops over pixels: every pair's P × P block and every point's own block, NNGP and
/// NTK, after a conv/ReLU stack (all paddings, strides 1 and 2, filters 3×3 and 2×2, images 4×4×2
/// and 5×3×1) and after its Flatten or GlobalAvgPool readout, square and rectangular records.
/// </summary>
public sealed class SpatialOperationTests
{
    private const double Tolerance = 1e-13;
    private const double WeightVariance = 1.6;
    private const double BiasVariance = 0.1;

    public static TheoryData<int, int, int, int, string, int, bool> ConvCases()
    {
        var data = new TheoryData<int, int, int, int, string, int, bool>();
        foreach (var (h, w, c) in new[] { (4, 4, 2), (5, 3, 1) })
        {
            foreach (int filter in new[] { 3, 2 })
            {
                foreach (string padding in new[] { "same", "valid", "circular" })
                {
                    foreach (int stride in new[] { 1, 2 })
                    {
                        data.Add(h, w, c, filter, padding, stride, true);
                        data.Add(h, w, c, filter, padding, stride, false);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void ConvReluStack_EqualsTheDirectLoops(int height, int width, int channels, int filter, string padding, int stride, bool symmetric)
    {
        var shape = new ImageShape(height, width, channels);
        ILayerOperation[] body =
        [
            new ConvOperation(new ConvParameters(filter, filter, Parse(padding), WeightVariance, BiasVariance, stride, stride)),
            new ActivationOperation(Nngp.ActivationByName("relu")),
            new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, WeightVariance, BiasVariance)),
            new ActivationOperation(Nngp.ActivationByName("relu")),
        ];
        DirectCnnKernel Direct(DirectCnnKernel k) =>
            k.Conv(filter, filter, padding, stride, WeightVariance, BiasVariance).Relu().Conv(3, 3, "same", 1, WeightVariance, BiasVariance).Relu();

        CheckAgainstDirect(shape, symmetric, body, Direct);
    }

    public static TheoryData<int, int, int, string, bool> PoolCases()
    {
        var data = new TheoryData<int, int, int, string, bool>();
        foreach (bool symmetric in new[] { true, false })
        {
            foreach (string padding in new[] { "valid", "same", "circular" })
            {
                data.Add(4, 4, 2, padding, symmetric);
            }

            // 5 × 3 is not tiled by 2 × 2 windows: only same and circular padding keep every pixel.
            data.Add(5, 3, 1, "same", symmetric);
            data.Add(5, 3, 1, "circular", symmetric);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void ConvPoolStack_EqualsTheDirectLoops(int height, int width, int channels, string padding, bool symmetric)
    {
        var shape = new ImageShape(height, width, channels);
        ILayerOperation[] body =
        [
            new ConvOperation(new ConvParameters(3, 3, SpatialPadding.Same, WeightVariance, BiasVariance)),
            new ActivationOperation(Nngp.ActivationByName("relu")),
            new AvgPoolOperation(new PoolParameters(2, 2, Parse(padding))),
            new ActivationOperation(Nngp.ActivationByName("relu")),
        ];
        DirectCnnKernel Direct(DirectCnnKernel k) =>
            k.Conv(3, 3, "same", 1, WeightVariance, BiasVariance).Relu().AvgPool(2, padding).Relu();

        CheckAgainstDirect(shape, symmetric, body, Direct);
    }

    /// <summary>The body's spatial record block by block, then each readout's flat kernel, against the direct loops.</summary>
    private static void CheckAgainstDirect(ImageShape shape, bool symmetric, ILayerOperation[] body, Func<DirectCnnKernel, DirectCnnKernel> direct)
    {
        const int Rows = 3, Columns = 2;
        double[] rowImages = SpatialImages.Random(Rows, shape, 11);
        double[] columnImages = symmetric ? rowImages : SpatialImages.Random(Columns, shape, 12);
        int columns = symmetric ? Rows : Columns;
        KernelRecord input = ImageInput.FromImages(rowImages, Rows, shape, symmetric ? null : columnImages, columns, shape, withNtk: true);
        KernelRecord spatial = SpatialImages.Apply(input, body);
        SpatialShape grid = spatial.Shape!.Value;
        int pixels = grid.Pixels, block = pixels * pixels;
        double worst = 0;

        var readouts = new (bool GlobalPool, KernelRecord Record)[2];
        for (int r = 0; r < 2; r++)
        {
            ILayerOperation pool = r == 1 ? new GlobalAvgPoolOperation() : new FlattenOperation();
            readouts[r] = (r == 1, SpatialImages.Apply(spatial, [pool, new DenseOperation(new DenseVariances(WeightVariance, BiasVariance))]));
        }

        for (int a = 0; a < Rows; a++)
        {
            for (int b = 0; b < columns; b++)
            {
                var x = SpatialImages.Image(rowImages, Rows, a, shape);
                var y = SpatialImages.Image(columnImages, columns, b, shape);
                DirectCnnKernel expected = direct(DirectCnnKernel.Input(x, y));
                Assert.Equal(grid.Height, expected.Kxy.GetLength(0));
                Assert.Equal(grid.Width, expected.Kxy.GetLength(1));
                long pair = ColumnMajor.Index(a, b, Rows) * block;
                worst = Math.Max(worst, AssertBlock(expected.Kxy, spatial.Nngp.Span.Slice((int)pair, block), grid, $"K({a}, {b})"));
                worst = Math.Max(worst, AssertBlock(expected.Txy, spatial.Ntk.Span.Slice((int)pair, block), grid, $"Θ({a}, {b})"));
                worst = Math.Max(worst, AssertBlock(expected.Kxx, spatial.RowVariance.Span.Slice(a * block, block), grid, $"K({a}, {a}) own block"));
                worst = Math.Max(worst, AssertBlock(expected.Txx, spatial.RowNtkDiagonal.Span.Slice(a * block, block), grid, $"Θ({a}, {a}) own block"));
                worst = Math.Max(worst, AssertBlock(expected.Kyy, spatial.ColumnVariance.Span.Slice(b * block, block), grid, $"K′({b}, {b}) own block"));
                worst = Math.Max(worst, AssertBlock(expected.Tyy, spatial.ColumnNtkDiagonal.Span.Slice(b * block, block), grid, $"Θ′({b}, {b}) own block"));
                foreach (var (globalPool, record) in readouts)
                {
                    DirectCnnKernel flat = expected.Readout(globalPool, WeightVariance, BiasVariance);
                    string name = globalPool ? "gap" : "flatten";
                    worst = Math.Max(worst, AssertClose(flat.FlatNngp, record.NngpAt(a, b), $"{name} K({a}, {b})"));
                    worst = Math.Max(worst, AssertClose(flat.FlatNtk, record.NtkAt(a, b), $"{name} Θ({a}, {b})"));
                }
            }
        }

        foreach (var (_, record) in readouts)
        {
            Assert.Null(record.Shape);
            Assert.Equal(Rows, record.RowVariance.Length);
            for (int a = 0; a < Rows; a++)
            {
                // A point's own value after the readout is its pair with itself.
                var x = SpatialImages.Image(rowImages, Rows, a, shape);
                DirectCnnKernel self = direct(DirectCnnKernel.Input(x, x)).Readout(record == readouts[1].Record, WeightVariance, BiasVariance);
                worst = Math.Max(worst, AssertClose(self.FlatNngp, record.RowVariance.Span[a], $"readout K({a}, {a})"));
                worst = Math.Max(worst, AssertClose(self.FlatNtk, record.RowNtkDiagonal.Span[a], $"readout Θ({a}, {a})"));
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(FormattableString.Invariant($"max deviation {worst:G3} of max(1, |entry|)"));
    }

    private static double AssertBlock(double[,,,] expected, ReadOnlySpan<double> actual, SpatialShape grid, string what)
    {
        double worst = 0;
        for (int h1 = 0; h1 < grid.Height; h1++)
        {
            for (int w1 = 0; w1 < grid.Width; w1++)
            {
                for (int h2 = 0; h2 < grid.Height; h2++)
                {
                    for (int w2 = 0; w2 < grid.Width; w2++)
                    {
                        int i = h1 * grid.Width + w1, j = h2 * grid.Width + w2;
                        worst = Math.Max(worst, AssertClose(expected[h1, w1, h2, w2], actual[i + j * grid.Pixels], $"{what} pixel ({h1},{w1})–({h2},{w2})"));
                    }
                }
            }
        }

        return worst;
    }

    /// <summary>Asserts the entry and returns its deviation, relative to max(1, |expected|).</summary>
    private static double AssertClose(double expected, double actual, string what)
    {
        double deviation = Math.Abs(actual - expected) / Math.Max(1, Math.Abs(expected));
        Assert.True(deviation <= Tolerance, FormattableString.Invariant($"{what}: engine {actual:R}, direct {expected:R}"));
        return deviation;
    }

    internal static SpatialPadding Parse(string padding) => padding switch
    {
        "same" => SpatialPadding.Same,
        "valid" => SpatialPadding.Valid,
        _ => SpatialPadding.Circular,
    };
}
