using GpuNngp.Engine.Computation;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Perf;

/// <summary>
/// The argument check runs on every Fit and Predict outside every stage, so it scans dense storage
/// vectorised and in parallel chunks; it must still name the first bad entry in column-major order.
/// </summary>
public sealed class InputValidationScanTests
{
    [Theory]
    [InlineData(7, 3, 0, 0)]
    [InlineData(7, 3, 6, 2)]
    [InlineData(1000, 600, 999, 599)]
    [InlineData(1000, 600, 123, 457)]
    [InlineData(1000, 600, 0, 300)]
    public void CheckMatrix_NamesTheFirstNonFiniteEntry(int rows, int columns, int row, int column)
    {
        var matrix = Matrix<double>.Build.Dense(rows, columns, (i, j) => i - j);
        matrix[row, column] = double.NaN;
        if (column + 1 < columns)
        {
            matrix[row, column + 1] = double.PositiveInfinity; // later in column-major order: not the one named
        }

        var error = Assert.Throws<NngpInputException>(() => InputValidation.CheckMatrix(matrix, "test inputs"));
        Assert.Equal($"test inputs contain NaN at row {row + 1}, column {column + 1}", error.Message);
    }

    [Fact]
    public void CheckMatrix_AcceptsFiniteDenseAndSparseMatrices()
    {
        InputValidation.CheckMatrix(Matrix<double>.Build.Dense(1000, 600, (i, j) => (i * 31 + j) * 1e300), "x");
        var sparse = Matrix<double>.Build.Sparse(5, 4);
        sparse[2, 3] = 1;
        InputValidation.CheckMatrix(sparse, "x");
        sparse[4, 1] = double.NegativeInfinity;
        Assert.Equal("x contain -Infinity at row 5, column 2", Assert.Throws<NngpInputException>(() => InputValidation.CheckMatrix(sparse, "x")).Message);
    }
}
