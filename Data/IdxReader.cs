using System.Buffers.Binary;
using System.IO.Compression;

namespace GpuNngp.Data;

/// <summary>
/// Reads IDX files (the MNIST format: magic 0x00 0x00 type ndim, big-endian int32 dimensions, then
/// the values big-endian in row-major order), plain or gzip-compressed. Compression is recognised
/// by the gzip magic bytes rather than by the file name, because the distributed files are named
/// both ways and renamed copies are common.
/// </summary>
public static class IdxReader
{
    private const byte GzipMagic0 = 0x1f;
    private const byte GzipMagic1 = 0x8b;

    // Bounds the first allocation for the values: a corrupt header can claim gigabytes, and the
    // buffer should only grow as far as the bytes that are actually there.
    private const int InitialChunk = 1 << 24;

    /// <summary>Reads an IDX file; every problem with it is an <see cref="NngpInputException"/>.</summary>
    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw InputErrors.Error(path, "is a directory, not an IDX file");
        }

        return InputErrors.Guard(path, () =>
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return ReadCore(file, path);
        });
    }

    /// <summary>
    /// Reads an IDX array from a stream (left open); <paramref name="name"/> is what error messages
    /// call it.
    /// </summary>
    public static IdxArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return InputErrors.Guard(name, () => ReadCore(stream, name));
    }

    private static IdxArray ReadCore(Stream stream, string name)
    {
        var source = Rewindable(stream);
        Span<byte> magic = stackalloc byte[2];
        int got = source.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        source.Seek(-got, SeekOrigin.Current);

        if (got == 2 && magic[0] == GzipMagic0 && magic[1] == GzipMagic1)
        {
            using var gzip = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
            using var buffered = new BufferedStream(gzip, 1 << 16);
            return Parse(buffered, name);
        }

        return Parse(source, name);
    }

    // Sniffing the gzip magic needs to step back two bytes; a non-seekable stream (a pipe, a
    // network response) is copied once into memory to allow it.
    private static Stream Rewindable(Stream stream)
    {
        if (stream.CanSeek)
        {
            return stream;
        }

        var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }

    private static IdxArray Parse(Stream stream, string name)
    {
        Span<byte> header = stackalloc byte[4];
        int got = stream.ReadAtLeast(header, 4, throwOnEndOfStream: false);
        if (got < 4)
        {
            throw InputErrors.Error(name, $"truncated IDX file: {got} bytes, shorter than the 4-byte magic number");
        }

        if (header[0] != 0 || header[1] != 0)
        {
            throw InputErrors.Error(name,
                $"not an IDX file: magic number starts 0x{header[0]:x2} 0x{header[1]:x2}, expected 0x00 0x00");
        }

        var type = (IdxElementType)header[2];
        if (!Enum.IsDefined(type))
        {
            throw InputErrors.Error(name,
                $"IDX type byte 0x{header[2]:x2} is unknown (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64)");
        }

        int rank = header[3];
        if (rank == 0)
        {
            throw InputErrors.Error(name, "IDX file has 0 dimensions");
        }

        var dimensionBytes = new byte[4 * rank];
        got = stream.ReadAtLeast(dimensionBytes, dimensionBytes.Length, throwOnEndOfStream: false);
        if (got < dimensionBytes.Length)
        {
            throw InputErrors.Error(name, $"truncated IDX file: header declares {rank} dimensions, only {got / 4} present");
        }

        var dimensions = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(dimensionBytes.AsSpan(4 * i, 4));
            if (dimensions[i] < 0)
            {
                throw InputErrors.Error(name, $"IDX dimension {i + 1} is negative ({dimensions[i]})");
            }

            count = count > long.MaxValue / Math.Max(dimensions[i], 1) ? long.MaxValue : count * dimensions[i];
        }

        int elementSize = IdxArray.ElementSize(type);
        string shape = InputErrors.Shape(dimensions);
        if (count == 0)
        {
            throw InputErrors.Error(name, $"IDX file is empty (shape {shape})");
        }

        if (count > Array.MaxLength / elementSize)
        {
            throw InputErrors.Error(name, $"IDX array {shape} is too large to load (more than {Array.MaxLength} bytes)");
        }

        int expected = (int)count * elementSize;
        var payload = ReadPayload(stream, expected, out int present);
        if (present < expected)
        {
            throw InputErrors.Error(name,
                $"truncated IDX file: header says {shape} values ({expected} bytes), {present} bytes present");
        }

        // Extra bytes mean the header does not describe the file (a wrong dimension, say), and the
        // values would be read with the wrong layout; refusing is safer than guessing.
        if (stream.ReadByte() >= 0)
        {
            throw InputErrors.Error(name, $"IDX file has data after the {shape} values its header describes");
        }

        return new IdxArray(type, dimensions, payload);
    }

    private static byte[] ReadPayload(Stream stream, int expected, out int present)
    {
        var buffer = new byte[Math.Min(expected, InitialChunk)];
        present = 0;
        while (true)
        {
            present += stream.ReadAtLeast(buffer.AsSpan(present), buffer.Length - present, throwOnEndOfStream: false);
            if (present < buffer.Length || buffer.Length == expected)
            {
                return buffer;
            }

            Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, expected));
        }
    }
}
