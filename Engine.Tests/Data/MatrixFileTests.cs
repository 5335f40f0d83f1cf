using GpuNngp.Data;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

public class MatrixFileTests
{
    [Theory]
    [InlineData("m.npy")]
    [InlineData("m.csv")]
    [InlineData("M.NPY")]
    public void WriteThenReadByExtension(string name)
    {
        using var dir = new TempDirectory();
        var path = dir.File(name);
        var m = Matrix<double>.Build.DenseOfArray(new[,] { { 1.0 / 7, 2 }, { -3, 4e-20 }, { 5, 6 } });

        MatrixFile.Write(path, m);

        Assert.Equal(m.ToArray(), MatrixFile.Read(path).ToArray());
    }

    [Theory]
    [InlineData("v.npy")]
    [InlineData("v.csv")]
    public void VectorReadsBackAsAColumn(string name)
    {
        using var dir = new TempDirectory();
        var path = dir.File(name);
        MatrixFile.WriteVector(path, [0.25, 1.0 / 3, 9]);

        var back = MatrixFile.Read(path);

        Assert.Equal(1, back.ColumnCount);
        Assert.Equal([0.25, 1.0 / 3, 9], back.Column(0).ToArray());
    }

    [Fact]
    public void ReadsIdxFiles()
    {
        using var dir = new TempDirectory();
        var path = dir.File("x-idx3-ubyte.gz");
        File.WriteAllBytes(path, TestFiles.Gzip(TestFiles.Idx(0x08, [2, 1, 2], [1, 2, 3, 4])));

        Assert.Equal(new double[,] { { 1, 2 }, { 3, 4 } }, MatrixFile.Read(path).ToArray());
    }

    [Fact]
    public void NanInCsvIsRejectedWithItsPosition()
    {
        using var dir = new TempDirectory();
        var path = dir.File("X.csv");
        File.WriteAllText(path, "1,2,3\n4,5,NaN\n7,Infinity,9\n");

        var error = Assert.Throws<NngpInputException>(() => MatrixFile.Read(path));

        Assert.Equal($"{path}: row 2, column 3 is NaN (all values must be finite)", error.Message);
    }

    [Fact]
    public void InfinityInNpyIsRejectedWithItsPosition()
    {
        using var dir = new TempDirectory();
        var path = dir.File("X.npy");
        // Fortran order puts the infinity first in storage but at (2, 1) of the matrix; the
        // reported position is the first in reading order, (1, 2) with -Inf.
        File.WriteAllBytes(path, TestFiles.Npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }",
            TestFiles.Float64(0, double.PositiveInfinity, double.NegativeInfinity, 1)));

        var error = Assert.Throws<NngpInputException>(() => MatrixFile.Read(path));

        Assert.Equal($"{path}: row 1, column 2 is -Inf (all values must be finite)", error.Message);
    }

    [Theory]
    [InlineData("empty.csv", "")]
    [InlineData("header-only.csv", "a,b,c\n")]
    public void EmptyFilesAreRejected(string name, string text)
    {
        using var dir = new TempDirectory();
        var path = dir.File(name);
        File.WriteAllText(path, text);

        var error = Assert.Throws<NngpInputException>(() => MatrixFile.Read(path));

        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyNpyIsRejected()
    {
        using var dir = new TempDirectory();
        var path = dir.File("empty.npy");
        File.WriteAllBytes(path, []);
        Assert.Throws<NngpInputException>(() => MatrixFile.Read(path));

        File.WriteAllBytes(path, TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 0), }", []));
        Assert.Contains("empty", Assert.Throws<NngpInputException>(() => MatrixFile.Read(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileAndUnknownExtensionAreOneLineErrors()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("nope.npy");
        Assert.Equal($"{missing}: file not found", Assert.Throws<NngpInputException>(() => MatrixFile.Read(missing)).Message);

        var text = dir.File("data.txt");
        File.WriteAllText(text, "1,2\n");
        Assert.Contains("unrecognised file type '.txt'", Assert.Throws<NngpInputException>(() => MatrixFile.Read(text)).Message, StringComparison.Ordinal);

        var output = dir.File("out.json");
        Assert.Throws<NngpInputException>(() => MatrixFile.Write(output, Matrix<double>.Build.Dense(1, 1)));
        Assert.Throws<NngpInputException>(() => MatrixFile.WriteVector(output, [1.0]));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void ValidateAcceptsFiniteMatrices()
    {
        MatrixFile.Validate(Matrix<double>.Build.Dense(3, 2, 1.5), "ok");
        var sparse = Matrix<double>.Build.Sparse(2, 2);
        sparse[1, 0] = double.NaN;
        Assert.Equal("s: row 2, column 1 is NaN (all values must be finite)",
            Assert.Throws<NngpInputException>(() => MatrixFile.Validate(sparse, "s")).Message);
    }
}
