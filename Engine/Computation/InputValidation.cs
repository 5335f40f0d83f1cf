using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Storage;

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

        // Dense matrices are scanned over their column-major array, vectorised and in parallel chunks:
        // this runs on every Fit and Predict, outside every stage, so it must stay a small part of them.
        if (matrix.Storage is DenseColumnMajorMatrixStorage<double> dense)
        {
            long index = FirstNonFinite(dense.Data);
            if (index >= 0)
            {
                int rows = matrix.RowCount;
                throw NonFinite(what, dense.Data[index], (int)(index % rows), (int)(index / rows));
            }

            return;
        }

        for (int j = 0; j < matrix.ColumnCount; j++)
        {
            for (int i = 0; i < matrix.RowCount; i++)
            {
                if (!double.IsFinite(matrix[i, j]))
                {
                    throw NonFinite(what, matrix[i, j], i, j);
                }
            }
        }
    }

    private static NngpInputException NonFinite(string what, double value, int row, int column) =>
        new($"{what} contain {value} at row {row + 1}, column {column + 1}");

    /// <summary>The index of the first NaN or infinity in column-major order, or −1.</summary>
    internal static long FirstNonFinite(double[] values)
    {
        const int Chunk = 1 << 18;
        int chunks = Math.Max(1, (values.Length + Chunk - 1) / Chunk);
        return NonFiniteScan.First(
            chunks, c => values.AsSpan(c * Chunk, Math.Min(Chunk, values.Length - c * Chunk)), c => (long)c * Chunk);
    }

    /// <summary>Refuses a value cast to an enum that names none of its members, e.g. <c>(DeviceKind)42</c>.</summary>
    public static void CheckDefined<T>(T value, string parameter)
        where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new NngpInputException($"{parameter} = {value:D} is not a {typeof(T).Name} ({string.Join(", ", Enum.GetNames<T>())})", parameter);
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
