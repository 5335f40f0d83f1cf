using System.Buffers.Binary;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Data;

/// <summary>
/// Reads NumPy .npy files (format versions 1, 2 and 3) holding a 1-D or 2-D array of little-endian
/// float64, float32 or uint8, in C or Fortran order. A 1-D array of length N becomes an N×1 column,
/// the shape a target or variance vector has everywhere else in the engine. Other dtypes are refused
/// by name rather than converted, so that an integer label file passed as features is noticed.
/// </summary>
public static class NpyReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private const string Supported = "float64 '<f8', float32 '<f4' or uint8 '|u1'";

    /// <summary>Reads a .npy file; every problem with it is an <see cref="NngpInputException"/>.</summary>
    public static Matrix<double> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw InputErrors.Error(path, "is a directory, not an NPY file");
        }

        return InputErrors.Guard(path, () =>
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return ReadCore(file, path);
        });
    }

    /// <summary>Reads an NPY array from a stream (left open); <paramref name="name"/> names it in errors.</summary>
    public static Matrix<double> Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return InputErrors.Guard(name, () => ReadCore(stream, name));
    }

    private static Matrix<double> ReadCore(Stream stream, string name)
    {
        var array = ReadArray(stream, name, rank => rank is 1 or 2, shape => $"array of shape {shape} is not supported (1-D or 2-D only)");
        var (shape, payload, decode) = (array.Shape, array.Payload, array.Decode);
        int rows = shape[0];
        int columns = shape.Length == 2 ? shape[1] : 1;
        long count = (long)rows * columns;

        // MathNet stores column-major, exactly Fortran order; C order is transposed on the way in.
        var storage = new double[count];
        if (array.FortranOrder || columns == 1 || rows == 1)
        {
            for (long i = 0; i < count; i++)
            {
                storage[i] = decode(payload, i);
            }
        }
        else
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    storage[(long)c * rows + r] = decode(payload, (long)r * columns + c);
                }
            }
        }

        return Matrix<double>.Build.Dense(rows, columns, storage);
    }

    /// <summary>An NPY array as read: its shape, its order and its payload with the dtype's decoder.</summary>
    internal sealed record NpyArray(int[] Shape, bool FortranOrder, byte[] Payload, Func<byte[], long, double> Decode);

    /// <summary>
    /// Reads the header and the payload of an NPY array whose rank <paramref name="rankAllowed"/>
    /// accepts (else the error <paramref name="rankProblem"/> gives for the shape's text), refusing
    /// empty, oversized, truncated and over-long files.
    /// </summary>
    internal static NpyArray ReadArray(Stream stream, string name, Func<int, bool> rankAllowed, Func<string, string> rankProblem)
    {
        Span<byte> preamble = stackalloc byte[8];
        int got = stream.ReadAtLeast(preamble, preamble.Length, throwOnEndOfStream: false);
        if (got < preamble.Length || !preamble[..6].SequenceEqual(Magic))
        {
            throw InputErrors.Error(name, "not an NPY file (it does not start with \\x93NUMPY)");
        }

        int major = preamble[6];
        int headerLength;
        switch (major)
        {
            case 1:
                headerLength = ReadLength(stream, 2, name);
                break;
            case 2:
            case 3:
                headerLength = ReadLength(stream, 4, name);
                break;
            default:
                throw InputErrors.Error(name, $"NPY format version {major}.{preamble[7]} is not supported (1, 2 or 3)");
        }

        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerLength, throwOnEndOfStream: false) < headerLength)
        {
            throw InputErrors.Error(name, $"truncated NPY file: the header should be {headerLength} bytes long");
        }

        var header = NpyHeader.Parse(NpyHeader.Decode(headerBytes, major), name);
        var (size, decode) = Decoder(header.Descr, name);

        var shape = header.Shape;
        var shapeText = "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");
        if (!rankAllowed(shape.Length))
        {
            throw InputErrors.Error(name, rankProblem(shapeText));
        }

        if (shape.Any(d => d == 0))
        {
            throw InputErrors.Error(name, $"array is empty (shape {shapeText})");
        }

        long count = shape.Aggregate(1L, (product, d) => product > Array.MaxLength ? product : product * d);
        if (count > Array.MaxLength / 8)
        {
            throw InputErrors.Error(name, $"array of shape {shapeText} is too large to load");
        }

        long bytes = count * size;
        var payload = new byte[bytes];
        int present = stream.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false);
        if (present < payload.Length)
        {
            throw InputErrors.Error(name,
                $"truncated NPY file: shape {shapeText} needs {bytes} bytes of data, {present} present");
        }

        if (stream.ReadByte() >= 0)
        {
            throw InputErrors.Error(name, $"NPY file has data after the {shapeText} array its header describes");
        }

        return new NpyArray(shape, header.FortranOrder, payload, decode);
    }

    private static int ReadLength(Stream stream, int width, string name)
    {
        Span<byte> length = stackalloc byte[4];
        if (stream.ReadAtLeast(length[..width], width, throwOnEndOfStream: false) < width)
        {
            throw InputErrors.Error(name, "truncated NPY file: no header length");
        }

        uint value = width == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(length) : BinaryPrimitives.ReadUInt32LittleEndian(length);
        if (value > 1 << 24)
        {
            throw InputErrors.Error(name, $"NPY header length {value} is implausibly large (corrupt file?)");
        }

        return (int)value;
    }

    private static (int Size, Func<byte[], long, double> Decode) Decoder(string descr, string name)
    {
        switch (descr)
        {
            case "<f8":
                return (8, static (p, i) => BinaryPrimitives.ReadDoubleLittleEndian(p.AsSpan(checked((int)(i * 8)), 8)));
            case "<f4":
                return (4, static (p, i) => BinaryPrimitives.ReadSingleLittleEndian(p.AsSpan(checked((int)(i * 4)), 4)));
            // One byte has no byte order, so every order character means the same thing.
            case "|u1" or "<u1" or ">u1" or "=u1":
                return (1, static (p, i) => p[i]);
        }

        if (descr.Length > 0 && descr[0] == '>')
        {
            throw InputErrors.Error(name, $"dtype '{descr}' is big-endian, which is not supported ({Supported}, little-endian)");
        }

        throw InputErrors.Error(name, $"dtype '{descr}' is not supported ({Supported})");
    }
}
