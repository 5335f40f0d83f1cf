using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// A dense FP64 matrix in native host memory, column-major, with 64-bit sizes: what
/// <see cref="NngpEngine.HostKernel"/> returns, so that kernels of more than 2^31 entries (a MathNet
/// matrix's limit, N = 46,340 for a square one) have a path to the caller and to a file. Read it a
/// column at a time (<see cref="Column"/>); <see cref="ToMatrix"/> gives a MathNet matrix where one
/// can hold it. Dispose it to free the memory.
/// </summary>
public sealed class HostMatrix : IDisposable
{
    private readonly HostBuffer _storage;

    private HostMatrix(int rows, int columns, HostBuffer storage)
    {
        RowCount = rows;
        ColumnCount = columns;
        _storage = storage;
    }

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The number of columns.</summary>
    public int ColumnCount { get; }

    /// <summary>RowCount × ColumnCount, in 64 bits.</summary>
    public long Count => ColumnMajor.Count(RowCount, ColumnCount);

    /// <summary>True when a MathNet matrix (one managed array) can hold every entry.</summary>
    public bool FitsManagedMatrix => Count <= Array.MaxLength;

    /// <summary>The storage the backends compute into.</summary>
    internal HostBuffer Storage => _storage;

    /// <summary>The entry at (<paramref name="row"/>, <paramref name="column"/>), both 0-based.</summary>
    /// <param name="row">0 ≤ row &lt; <see cref="RowCount"/>.</param>
    /// <param name="column">0 ≤ column &lt; <see cref="ColumnCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index outside the matrix.</exception>
    public double this[int row, int column]
    {
        get
        {
            CheckIndex(row, column);
            return _storage[ColumnMajor.Index(row, column, RowCount)];
        }
    }

    /// <summary>An uninitialised rows×columns matrix.</summary>
    internal static HostMatrix Allocate(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        return new HostMatrix(rows, columns, HostBuffer.Allocate(ColumnMajor.Count(rows, columns)));
    }

    /// <summary>Takes ownership of <paramref name="storage"/> (rows×columns, column-major) without a copy.</summary>
    internal static HostMatrix Wrap(int rows, int columns, HostBuffer storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (storage.Length < ColumnMajor.Count(rows, columns))
        {
            throw new ArgumentException($"a {rows}×{columns} matrix needs {ColumnMajor.Count(rows, columns)} values; the buffer holds {storage.Length}", nameof(storage));
        }

        return new HostMatrix(rows, columns, storage);
    }

    /// <summary>A native copy of a MathNet matrix, for code that takes a <see cref="HostMatrix"/> (a kernel writer, say).</summary>
    /// <param name="matrix">The matrix to copy; it is not kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="matrix"/> is null.</exception>
    public static HostMatrix CopyOf(Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return new HostMatrix(matrix.RowCount, matrix.ColumnCount, HostBuffer.CopyOf(matrix.AsColumnMajorArray() ?? matrix.ToColumnMajorArray()));
    }

    /// <summary>Column <paramref name="column"/>: RowCount contiguous entries, valid until the matrix is disposed.</summary>
    /// <param name="column">0 ≤ column &lt; <see cref="ColumnCount"/>.</param>
    /// <returns>A view of the native memory, not a copy: do not keep it past <see cref="Dispose"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="column"/> is outside the matrix.</exception>
    public ReadOnlySpan<double> Column(int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, ColumnCount);
        return _storage.Slice(ColumnMajor.ColumnStart(column, RowCount), RowCount);
    }

    /// <summary>A MathNet copy of the matrix (a dense, column-major managed array).</summary>
    /// <exception cref="NngpInputException">More entries than a managed array holds; read it by <see cref="Column"/> instead.</exception>
    public Matrix<double> ToMatrix()
    {
        if (!FitsManagedMatrix)
        {
            throw new NngpInputException(
                $"a {RowCount:N0}×{ColumnCount:N0} matrix ({Count:N0} entries) is larger than a MathNet matrix holds ({Array.MaxLength:N0}); use NngpEngine.HostKernel and read it by column, or write it to .npy");
        }

        return Matrix<double>.Build.Dense(RowCount, ColumnCount, _storage.ToArray());
    }

    /// <summary>Frees the native memory; views from <see cref="Column"/> are invalid afterwards.</summary>
    public void Dispose() => _storage.Dispose();

    private void CheckIndex(int row, int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, ColumnCount);
    }
}
