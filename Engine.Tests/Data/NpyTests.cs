using System.Text;
using GpuNngp.Data;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

public class NpyTests
{
    private static Matrix<double> ReadBytes(byte[] bytes, string name = "test.npy")
    {
        using var stream = new MemoryStream(bytes);
        return NpyReader.Read(stream, name);
    }

    private static void AssertIsOneToSix(Matrix<double> m)
    {
        Assert.Equal(2, m.RowCount);
        Assert.Equal(3, m.ColumnCount);
        Assert.Equal(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }, m.ToArray());
    }

    [Fact]
    public void Float64CorderAndFortranOrder()
    {
        // The same six bytes patterns read in the two orders must give different matrices: the
        // Fortran-order file stores [[1,2,3],[4,5,6]] column by column as 1,4,2,5,3,6.
        var cOrder = TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", TestFiles.Float64(1, 2, 3, 4, 5, 6));
        var fOrder = TestFiles.Npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", TestFiles.Float64(1, 4, 2, 5, 3, 6));
        var fOrderSameBytes = TestFiles.Npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", TestFiles.Float64(1, 2, 3, 4, 5, 6));

        AssertIsOneToSix(ReadBytes(cOrder));
        AssertIsOneToSix(ReadBytes(fOrder));
        Assert.Equal(new double[,] { { 1, 3, 5 }, { 2, 4, 6 } }, ReadBytes(fOrderSameBytes).ToArray());
    }

    [Fact]
    public void Float32BothOrders()
    {
        var cOrder = TestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", TestFiles.Float32(1, 2, 3, 4, 5, 6));
        var fOrder = TestFiles.Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", TestFiles.Float32(1, 4, 2, 5, 3, 6));
        AssertIsOneToSix(ReadBytes(cOrder));
        AssertIsOneToSix(ReadBytes(fOrder));

        var fraction = ReadBytes(TestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", TestFiles.Float32(0.1f)));
        Assert.Equal((double)0.1f, fraction[0, 0]);
    }

    [Fact]
    public void Uint8BothOrders()
    {
        var cOrder = TestFiles.Npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", [1, 2, 3, 4, 5, 6]);
        var fOrder = TestFiles.Npy("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", [1, 4, 2, 5, 3, 6]);
        AssertIsOneToSix(ReadBytes(cOrder));
        AssertIsOneToSix(ReadBytes(fOrder));

        var top = ReadBytes(TestFiles.Npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", [0, 255]));
        Assert.Equal(255, top[1, 0]);
    }

    [Fact]
    public void OneDimensionalArrayIsAColumn()
    {
        var m = ReadBytes(TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", TestFiles.Float64(1.5, -2, 3, 4)));
        Assert.Equal(4, m.RowCount);
        Assert.Equal(1, m.ColumnCount);
        Assert.Equal([1.5, -2, 3, 4], m.Column(0).ToArray());
    }

    [Theory]
    [InlineData("{\"descr\":\"<f8\",\"fortran_order\":False,\"shape\":(2,3)}", 1)]
    [InlineData("{ 'shape' : ( 2 , 3 , ) ,  'fortran_order' : False , 'descr' : '<f8' , }", 1)]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L)}", 1)]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 2)]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 3)]
    public void HeaderVariantsAndVersions(string dict, int major)
    {
        AssertIsOneToSix(ReadBytes(TestFiles.Npy(dict, TestFiles.Float64(1, 2, 3, 4, 5, 6), major)));
    }

    [Theory]
    [InlineData("<i8", "dtype '<i8' is not supported (float64 '<f8', float32 '<f4' or uint8 '|u1')")]
    [InlineData("<i4", "dtype '<i4' is not supported")]
    [InlineData("<f2", "dtype '<f2' is not supported")]
    [InlineData(">f8", "dtype '>f8' is big-endian, which is not supported")]
    public void UnsupportedDtypesAreNamed(string descr, string expected)
    {
        var bytes = TestFiles.Npy($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}", new byte[8]);
        var error = Assert.Throws<NngpInputException>(() => ReadBytes(bytes, "A.npy"));
        Assert.StartsWith("A.npy: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }", "not supported (1-D or 2-D only)")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", "1-D or 2-D only")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", "empty")]
    [InlineData("{'descr': '<f8', 'fortran_order': False}", "no 'shape' key")]
    [InlineData("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,)}", "neither True nor False")]
    [InlineData("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,)}", "structured arrays")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", "non-negative integers")]
    public void MalformedHeadersAreInputErrors(string dict, string expected)
    {
        var error = Assert.Throws<NngpInputException>(() => ReadBytes(TestFiles.Npy(dict, TestFiles.Float64(1)), "B.npy"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedDataAndNonNpyAreInputErrors()
    {
        var bytes = TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", TestFiles.Float64(1, 2, 3, 4, 5));
        Assert.Contains("truncated NPY file: shape (2, 3) needs 48 bytes of data, 40 present",
            Assert.Throws<NngpInputException>(() => ReadBytes(bytes)).Message, StringComparison.Ordinal);

        Assert.Contains("not an NPY file",
            Assert.Throws<NngpInputException>(() => ReadBytes(Encoding.ASCII.GetBytes("1,2,3\n"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteThenReadRoundTripsExactly()
    {
        using var dir = new TempDirectory();
        var path = dir.File("m.npy");
        var m = Matrix<double>.Build.DenseOfArray(new[,]
        {
            { Math.PI, -0.0, 1e-300, double.MaxValue },
            { double.Epsilon, -1.0 / 3, 42, -7.25 },
            { 1, 2, 3, 4 },
        });

        NpyWriter.Write(path, m);
        var bytes = File.ReadAllBytes(path);
        var back = NpyReader.Read(path);

        Assert.Equal(m.ToArray(), back.ToArray());
        Assert.True(double.IsNegative(back[0, 1]));
        // NumPy's layout: v1.0, the header dict, then data aligned to 64 bytes.
        Assert.Equal(1, bytes[6]);
        int dataStart = 10 + bytes[8] + (bytes[9] << 8);
        Assert.Equal(0, dataStart % 64);
        Assert.Equal(8 * 12, bytes.Length - dataStart);
        var header = Encoding.ASCII.GetString(bytes, 10, dataStart - 10);
        Assert.StartsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", header, StringComparison.Ordinal);
        Assert.EndsWith("\n", header, StringComparison.Ordinal);
        // C order: the second value in the file is m[0, 1].
        Assert.Equal(-0.0, BitConverter.ToDouble(bytes, dataStart + 8));
    }

    [Fact]
    public void VectorWriteIsOneDimensional()
    {
        using var dir = new TempDirectory();
        var path = dir.File("var.npy");
        NpyWriter.WriteVector(path, [0.5, 1e-12, 3]);

        var bytes = File.ReadAllBytes(path);
        var header = Encoding.ASCII.GetString(bytes, 10, bytes[8]);
        Assert.Contains("'shape': (3,)", header, StringComparison.Ordinal);
        var back = NpyReader.Read(path);
        Assert.Equal([0.5, 1e-12, 3], back.Column(0).ToArray());
    }
}
