using GpuNngp.Solvers;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// Every entry of a record's matrices once, for the host's reference operations: in parallel over
/// columns; for a symmetric record the lower triangle only, then mirrored, so the result is
/// symmetric by construction (as the pipeline's lower-triangle map and its mirror make it).
/// </summary>
internal static class HostEntryLoop
{
    /// <summary>Calls <paramref name="entry"/>(row, column, column-major index) for each entry to compute, then mirrors <paramref name="outputs"/> when symmetric.</summary>
    public static void ForEach(KernelRecord record, Action<int, int, long> entry, params double[]?[] outputs)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(outputs);
        int rows = record.Rows;
        bool symmetric = record.IsSymmetric;
        Parallel.For(0, record.Columns, column =>
        {
            for (int row = symmetric ? column : 0; row < rows; row++)
            {
                entry(row, column, ColumnMajor.Index(row, column, rows));
            }
        });
        if (!symmetric)
        {
            return;
        }

        foreach (double[]? matrix in outputs)
        {
            if (matrix is not null)
            {
                MirrorLowerToUpper(matrix, rows);
            }
        }
    }

    private static void MirrorLowerToUpper(double[] matrix, int n)
    {
        for (int column = 0; column < n; column++)
        {
            for (int row = column + 1; row < n; row++)
            {
                matrix[ColumnMajor.Index(column, row, n)] = matrix[ColumnMajor.Index(row, column, n)];
            }
        }
    }
}
