using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Data;

/// <summary>
/// Writes float64 arrays as NumPy .npy files in C order, laid out as <c>numpy.save</c> lays them out
/// (version 1.0, NumPy's dict syntax, header padded with spaces to a multiple of 64 bytes and ended
/// by a newline), so that the files load with <c>numpy.load</c> and memory-map with aligned data.
/// </summary>
public static class NpyWriter
{
    private const int Alignment = 64;

    /// <summary>Writes an R×C matrix as a 2-D float64 array, atomically (see <see cref="AtomicFile"/>).</summary>
    public static void Write(string path, Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        AtomicFile.Write(path, stream => Write(stream, matrix));
    }

    /// <summary>Writes a native host matrix (any size) as a 2-D float64 array, atomically; see <see cref="Write(Stream, HostMatrix)"/>.</summary>
    public static void Write(string path, HostMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        AtomicFile.Write(path, stream => Write(stream, matrix));
    }

    /// <summary>
    /// Writes a native host matrix as a 2-D float64 array in Fortran order (<c>'fortran_order': True</c>,
    /// which <c>numpy.load</c> reads as the same matrix): its column-major storage then streams to the
    /// file a column at a time, sequentially, with no transposed copy and no 2^31 limit.
    /// </summary>
    public static void Write(Stream stream, HostMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(matrix);
        WriteHeader(stream, [matrix.RowCount, matrix.ColumnCount], fortranOrder: true);
        var converted = BitConverter.IsLittleEndian ? [] : new byte[8 * matrix.RowCount];
        for (int c = 0; c < matrix.ColumnCount; c++)
        {
            ReadOnlySpan<double> column = matrix.Column(c);
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(column));
                continue;
            }

            for (int r = 0; r < column.Length; r++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(converted.AsSpan(8 * r, 8), column[r]);
            }

            stream.Write(converted);
        }
    }

    /// <summary>The length of the .npy file of a rows×columns float64 matrix: header plus 8 bytes an entry, in 64 bits.</summary>
    public static long FileLength(int rows, int columns, bool fortranOrder = false) =>
        HeaderBytes([rows, columns], fortranOrder).Length + 8L * rows * columns;

    /// <summary>
    /// Writes T matrices of one shape R×C as a 3-D float64 array of shape (T, R, C) in C order
    /// (entry [t, r, c] is matrices[t][r, c]), atomically: a leading axis over, say, training times.
    /// </summary>
    /// <exception cref="ArgumentException">No matrices, or matrices of different shapes.</exception>
    public static void WriteStack(string path, IReadOnlyList<Matrix<double>> matrices)
    {
        ArgumentNullException.ThrowIfNull(matrices);
        if (matrices.Count == 0 || matrices.Any(m => m.RowCount != matrices[0].RowCount || m.ColumnCount != matrices[0].ColumnCount))
        {
            throw new ArgumentException("a stack needs at least one matrix, all of one shape", nameof(matrices));
        }

        AtomicFile.Write(path, stream =>
        {
            WriteHeader(stream, [matrices.Count, matrices[0].RowCount, matrices[0].ColumnCount]);
            foreach (var matrix in matrices)
            {
                WriteRows(stream, matrix);
            }
        });
    }

    /// <summary>Writes a vector as a 1-D float64 array of shape (N,), atomically.</summary>
    public static void WriteVector(string path, IReadOnlyList<double> vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        AtomicFile.Write(path, stream => WriteVector(stream, vector));
    }

    /// <summary>Writes an R×C matrix as a 2-D float64 array to a stream (left open).</summary>
    public static void Write(Stream stream, Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(matrix);
        WriteHeader(stream, [matrix.RowCount, matrix.ColumnCount]);
        WriteRows(stream, matrix);
    }

    /// <summary>The matrix's entries in C order, no header.</summary>
    private static void WriteRows(Stream stream, Matrix<double> matrix)
    {
        // C order walks each row, which is strided in MathNet's column-major storage; one row
        // at a time through a buffer keeps the writes sequential.
        var row = new byte[8 * matrix.ColumnCount];
        for (int r = 0; r < matrix.RowCount; r++)
        {
            for (int c = 0; c < matrix.ColumnCount; c++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(row.AsSpan(8 * c, 8), matrix[r, c]);
            }

            stream.Write(row);
        }
    }

    /// <summary>Writes a vector as a 1-D float64 array of shape (N,) to a stream (left open).</summary>
    public static void WriteVector(Stream stream, IReadOnlyList<double> vector)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(vector);
        WriteHeader(stream, [vector.Count]);
        Span<byte> value = stackalloc byte[8];
        for (int i = 0; i < vector.Count; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(value, vector[i]);
            stream.Write(value);
        }
    }

    private static void WriteHeader(Stream stream, int[] shape, bool fortranOrder = false) => stream.Write(HeaderBytes(shape, fortranOrder));

    private static byte[] HeaderBytes(int[] shape, bool fortranOrder)
    {
        var dict = NpyHeader.Format(shape, fortranOrder);
        // magic (6) + version (2) + length (2 in v1, 4 in v2) + dict + padding + '\n'.
        int prefix = 10;
        int total = RoundUp(prefix + dict.Length + 1);
        int version = 1;
        if (total - prefix > ushort.MaxValue)
        {
            prefix = 12;
            total = RoundUp(prefix + dict.Length + 1);
            version = 2;
        }

        var text = dict + new string(' ', total - prefix - dict.Length - 1) + "\n";
        var header = new byte[prefix];
        header[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", header.AsSpan(1));
        header[6] = (byte)version;
        header[7] = 0;
        if (version == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)text.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)text.Length);
        }

        return [.. header, .. Encoding.ASCII.GetBytes(text)];
    }

    private static int RoundUp(int length) => (length + Alignment - 1) / Alignment * Alignment;
}
