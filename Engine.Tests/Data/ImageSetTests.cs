using GpuNngp.Data;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

/// <summary>
/// ImageSet: (N, H, W, C) arrays in every dtype and order land at (n, (h·W + w)·C + c); the value of
/// each element encodes its own coordinates, so any transposition shows.
/// </summary>
public sealed class ImageSetTests : IDisposable
{
    private const int N = 2, H = 3, W = 4, C = 2;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static double Value(int n, int h, int w, int c) => (100 * n) + (20 * h) + (3 * w) + c + 1;

    /// <summary>Every (n, h, w, c) in the file's order: C order (last axis fastest) or Fortran order (first axis fastest).</summary>
    private static IEnumerable<(int N, int H, int W, int C)> Coordinates(bool fortran) => fortran
        ? from c in Enumerable.Range(0, C) from w in Enumerable.Range(0, W) from h in Enumerable.Range(0, H) from n in Enumerable.Range(0, N) select (n, h, w, c)
        : from n in Enumerable.Range(0, N) from h in Enumerable.Range(0, H) from w in Enumerable.Range(0, W) from c in Enumerable.Range(0, C) select (n, h, w, c);

    private static IEnumerable<double> Elements(bool fortran) => Coordinates(fortran).Select(p => Value(p.N, p.H, p.W, p.C));

    private string Write(string name, string descr, bool fortran, string shape = "(2, 3, 4, 2)")
    {
        var elements = Elements(fortran).ToArray();
        byte[] data = descr switch
        {
            "<f8" => TestFiles.Float64(elements),
            "<f4" => TestFiles.Float32([.. elements.Select(v => (float)v)]),
            _ => [.. elements.Select(v => (byte)v)],
        };
        string path = _temp.File(name);
        File.WriteAllBytes(path, TestFiles.Npy($"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}", data));
        return path;
    }

    [Theory]
    [InlineData("<f8", false)]
    [InlineData("<f8", true)]
    [InlineData("<f4", false)]
    [InlineData("<f4", true)]
    [InlineData("|u1", false)]
    [InlineData("|u1", true)]
    public void AnNpyImageArray_IsOneImagePerRow_PixelsRowMajor_ChannelsInnermost(string descr, bool fortran)
    {
        var images = ImageSet.Read(Write("x.npy", descr, fortran));
        Assert.Equal((N, H, W, C), (images.Count, images.Height, images.Width, images.Channels));
        Assert.Equal(H * W * C, images.Pixels.ColumnCount);
        foreach (var (n, h, w, c) in Coordinates(fortran: false))
        {
            Assert.Equal(Value(n, h, w, c), images.Pixels[n, (((h * W) + w) * C) + c]);
        }

        Assert.Equal((((2 * W) + 1) * C) + 1, images.Column(2, 1, 1));
        Assert.Equal("2 images of 3×4×2", images.ToString());
    }

    [Fact]
    public void AnIdxImageFile_IsOneChannel()
    {
        string path = _temp.File("images-idx3-ubyte");
        File.WriteAllBytes(path, TestFiles.Idx(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 255]));
        var images = ImageSet.Read(path);
        Assert.Equal((2, 2, 3, 1), (images.Count, images.Height, images.Width, images.Channels));
        Assert.Equal(5, images.Pixels[0, images.Column(1, 2, 0)]);
        Assert.Equal(11, images.Pixels[1, images.Column(0, 1, 0)]);
    }

    [Theory]
    [InlineData("(24,)", "(24,) is not a set of images")]
    [InlineData("(2, 12)", "(2, 12) is not a set of images")]
    [InlineData("(2, 3, 8)", "x[..., None]")]
    [InlineData("(2, 3, 4, 2, 1)", "4-D (N, H, W, C)")]
    public void AnotherRank_IsOneLineNamingTheShape(string shape, string problem)
    {
        string path = Write("bad.npy", "<f8", fortran: false, shape);
        var e = Assert.Throws<NngpInputException>(() => ImageSet.Read(path));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);

        string idx = _temp.File("flat-idx2-ubyte");
        File.WriteAllBytes(idx, TestFiles.Idx(0x08, [2, 6], new byte[12]));
        Assert.Contains("IDX array of 2 dimensions (2×6) is not a set of images", Assert.Throws<NngpInputException>(() => ImageSet.Read(idx)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonFiniteOrEmptyImage_IsNamed()
    {
        string path = _temp.File("nan.npy");
        var data = Enumerable.Repeat(1.0, 8).ToArray();
        data[5] = double.NaN;
        File.WriteAllBytes(path, TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 2, 1), }", TestFiles.Float64(data)));
        Assert.Contains("image 1 has a non-finite value (NaN) at value 1", Assert.Throws<NngpInputException>(() => ImageSet.Read(path)).Message, StringComparison.Ordinal);

        string empty = _temp.File("empty.npy");
        File.WriteAllBytes(empty, TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 2, 2, 1), }", []));
        Assert.Contains("empty", Assert.Throws<NngpInputException>(() => ImageSet.Read(empty)).Message, StringComparison.Ordinal);
        Assert.Throws<NngpInputException>(() => new ImageSet(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(2, 5), 2, 2, 1));
    }
}
