using System.Runtime.InteropServices;
using System.Security.Cryptography;
using GpuNngp.Engine.Pipeline;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Computation;

/// <summary>
/// A matrix's shape and the SHA-256 of its column-major values: what a cache computed from a matrix
/// is matched by, so that a matrix changed in place after the cache was made (the same object, other
/// values) no longer matches, and an equal copy does. One pass over the N·d values: small beside
/// the N²·d multiply-adds of the Gram it guards.
/// </summary>
internal sealed class MatrixFingerprint
{
    private readonly int _rows;
    private readonly int _columns;
    private readonly byte[] _hash;

    private MatrixFingerprint(int rows, int columns, byte[] hash)
    {
        _rows = rows;
        _columns = columns;
        _hash = hash;
    }

    public static MatrixFingerprint Of(Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return new MatrixFingerprint(matrix.RowCount, matrix.ColumnCount, Hash(matrix));
    }

    /// <summary>True when <paramref name="matrix"/> has this shape and, now, these values.</summary>
    public bool Matches(Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return matrix.RowCount == _rows && matrix.ColumnCount == _columns && Hash(matrix).AsSpan().SequenceEqual(_hash);
    }

    private static byte[] Hash(Matrix<double> matrix) =>
        SHA256.HashData(MemoryMarshal.AsBytes(HostPreparation.ColumnMajor(matrix).AsSpan()));
}
