using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Computation;

/// <summary>Checks made once at the API's edge, so backends can assume clean inputs.</summary>
internal static class InputValidation
{
    public static void CheckMatrix(Matrix<double>? matrix, string what)
    {
        if (matrix is null)
        {
            throw new NngpInputException($"{what} are missing");
        }

        if (matrix.RowCount == 0 || matrix.ColumnCount == 0)
        {
            throw new NngpInputException($"{what} are empty ({matrix.RowCount}×{matrix.ColumnCount})");
        }

        for (int j = 0; j < matrix.ColumnCount; j++)
        {
            for (int i = 0; i < matrix.RowCount; i++)
            {
                if (!double.IsFinite(matrix[i, j]))
                {
                    throw new NngpInputException($"{what} contain {matrix[i, j]} at row {i + 1}, column {j + 1}");
                }
            }
        }
    }

    public static void CheckNonNegative(double value, string what)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new NngpInputException(FormattableString.Invariant($"{what} must be finite and ≥ 0, got {value}"));
        }
    }
}
