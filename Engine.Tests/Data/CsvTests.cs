using GpuNngp.Data;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

public class CsvTests
{
    private static Matrix<double> Parse(string text, string name = "X.csv") =>
        Csv.Read(new StringReader(text), name);

    [Fact]
    public void ReadsNumbersInInvariantCulture()
    {
        var m = Parse("1,2.5,-3e2\n4, 5 ,\"6\"\r\n");
        Assert.Equal(new double[,] { { 1, 2.5, -300 }, { 4, 5, 6 } }, m.ToArray());
    }

    [Fact]
    public void HeaderLineIsSkippedAndLineNumbersAreShown()
    {
        var m = Parse("a,b\n1,2\n3,4\n");
        Assert.Equal(new double[,] { { 1, 2 }, { 3, 4 } }, m.ToArray());

        var error = Assert.Throws<NngpInputException>(() => Parse("a,b\n1,2\n3,x\n"));
        Assert.Equal("X.csv: row 2 (line 3), column 2: 'x' is not a number", error.Message);
    }

    [Fact]
    public void PartlyNumericFirstLineIsDataWithABadCell()
    {
        var error = Assert.Throws<NngpInputException>(() => Parse("1,b,3\n4,5,6\n"));
        Assert.Equal("X.csv: row 1, column 2: 'b' is not a number", error.Message);
    }

    [Fact]
    public void RaggedRowIsNamed()
    {
        var error = Assert.Throws<NngpInputException>(() => Parse("1,2,3,4,5\n1,2,3,4,5\n1,2,3,4\n"));
        Assert.Equal("X.csv: row 3 has 4 values, row 1 has 5", error.Message);
    }

    [Fact]
    public void NonNumericCellIsNamed()
    {
        var error = Assert.Throws<NngpInputException>(() => Parse("1,2\n3,4\n5,1,5\n"));
        Assert.Contains("row 3 has 3 values", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<NngpInputException>(() => Parse("1,2\n3,4,\n"));
        Assert.Contains("row 2 has 3 values", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<NngpInputException>(() => Parse("1,2\n3,1;5\n"));
        Assert.Equal("X.csv: row 2, column 2: '1;5' is not a number", error.Message);

        // A decimal comma is not a number in the invariant culture; it reads as an extra column.
        error = Assert.Throws<NngpInputException>(() => Parse("1.5,2\n1,5,2\n"));
        Assert.Contains("row 2 has 3 values, row 1 has 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BlankTrailingLinesAreIgnoredButNotBlankLinesInside()
    {
        Assert.Equal(2, Parse("1,2\n3,4\n\n\n  \n").RowCount);

        var error = Assert.Throws<NngpInputException>(() => Parse("1,2\n\n3,4\n"));
        Assert.Contains("line 2 is blank", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("a,b\n")]
    public void NoDataIsAnError(string text)
    {
        var error = Assert.Throws<NngpInputException>(() => Parse(text));
        Assert.StartsWith("X.csv: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteThenReadRoundTripsExactly()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.csv");
        var m = Matrix<double>.Build.DenseOfArray(new[,]
        {
            { 0.1, 1.0 / 3, -2.5e-300 },
            { double.MaxValue, double.Epsilon, -0.0 },
        });

        Csv.Write(path, m);
        var back = Csv.Read(path);

        Assert.Equal(m.ToArray(), back.ToArray());
        Assert.StartsWith("0.1,0.3333333333333333,-2.5E-300\n", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(2, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void VectorIsOneValuePerLine()
    {
        var writer = new StringWriter();
        Csv.WriteVector(writer, [1.5, -2]);
        Assert.Equal("1.5\n-2\n", writer.ToString());
    }
}
