using GpuNngp.Data;
using GpuNngp.Experiments.Evaluation;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

public class PreprocessingTests
{
    private static void AssertStandardised(Matrix<double> z)
    {
        int d = z.ColumnCount;
        for (int r = 0; r < z.RowCount; r++)
        {
            var row = z.Row(r);
            Assert.Equal(1.0, row.DotProduct(row) / d, 1e-12);
            Assert.Equal(0.0, row.Sum() / d, 1e-12);
        }
    }

    [Fact]
    public void RandomRowsGetUnitMeanSquare()
    {
        var random = new Random(20180101);
        var x = Matrix<double>.Build.Dense(37, 13, (_, _) => 1000 + 50 * random.NextDouble());
        var copy = x.Clone();

        var z = Preprocessing.StandardisePerExample(x);

        AssertStandardised(z);
        Assert.Equal(copy, x);
        // Standardisation is affine per row: the order of a row's values is kept.
        Assert.Equal(x.Row(5).MaximumIndex(), z.Row(5).MaximumIndex());
    }

    [Fact]
    public void MnistDigitsGetUnitMeanSquare()
    {
        var images = Datasets.Mnist10k().Images.SubMatrix(0, 200, 0, 784);
        AssertStandardised(Preprocessing.StandardisePerExample(images));
    }

    [Fact]
    public void MatchesTheDefinitionOnASmallRow()
    {
        var z = Preprocessing.StandardisePerExample(Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 2, 3, 6 } }));
        // mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5
        double s = Math.Sqrt(3.5);
        Assert.Equal([-2 / s, -1 / s, 0, 3 / s], z.Row(0).ToArray(), (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void ConstantRowIsAnErrorNamingIt()
    {
        var x = Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, 2, 3 }, { 0.1, 0.1, 0.1 }, { 0, 0, 0 } });
        var error = Assert.Throws<NngpInputException>(() => Preprocessing.StandardisePerExample(x));
        Assert.Contains("row 2 is constant", error.Message, StringComparison.Ordinal);

        Assert.Throws<NngpInputException>(() => Preprocessing.StandardisePerExample(Matrix<double>.Build.Dense(2, 1, 5.0)));
    }

    [Fact]
    public void OneHotTargetsAreOneHotMinusATenth()
    {
        var y = Preprocessing.OneHotTargets([2, 0, 1, 2], 3);

        Assert.Equal(new[,]
        {
            { -0.1, -0.1, 0.9 },
            { 0.9, -0.1, -0.1 },
            { -0.1, 0.9, -0.1 },
            { -0.1, -0.1, 0.9 },
        }, y.ToArray());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void LabelsOutsideTheClassesAreErrors(int label)
    {
        var error = Assert.Throws<NngpInputException>(() => Preprocessing.OneHotTargets([0, label], 3));
        Assert.Equal($"label {label} of example 2 is outside [0, 3)", error.Message);
    }
}
