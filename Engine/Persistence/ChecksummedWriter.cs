using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace GpuNngp.Engine.Persistence;

/// <summary>
/// Little-endian values onto a stream, every byte also into a SHA-256 that <see cref="WriteChecksum"/>
/// appends at the end (docs/persistence.md): the writing half of the posterior format.
/// </summary>
internal sealed class ChecksummedWriter(Stream stream) : IDisposable
{
    /// <summary>Doubles per write of a long span (8 MiB), so no byte span passes 2^31.</summary>
    private const int Chunk = 1 << 20;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _scalar = new byte[sizeof(long)];

    /// <summary>Bytes written so far, the checksum excluded.</summary>
    public long Position { get; private set; }

    public void Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_scalar, value);
        Bytes(_scalar.AsSpan(0, sizeof(int)));
    }

    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_scalar, value);
        Bytes(_scalar);
    }

    public void Double(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_scalar, value);
        Bytes(_scalar);
    }

    /// <summary>The values as IEEE 754 binary64, little-endian, in order.</summary>
    public void Doubles(ReadOnlySpan<double> values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            foreach (double value in values)
            {
                Double(value);
            }

            return;
        }

        for (int start = 0; start < values.Length; start += Chunk)
        {
            Bytes(MemoryMarshal.AsBytes(values.Slice(start, Math.Min(Chunk, values.Length - start))));
        }
    }

    /// <summary>UTF-8, after its length in bytes.</summary>
    public void String(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        Int32(bytes.Length);
        Bytes(bytes);
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        _hash.AppendData(bytes);
        stream.Write(bytes);
        Position += bytes.Length;
    }

    /// <summary>The SHA-256 of every byte written, as the last 32 bytes.</summary>
    public void WriteChecksum()
    {
        Span<byte> checksum = stackalloc byte[SHA256.HashSizeInBytes];
        _hash.GetHashAndReset(checksum);
        stream.Write(checksum);
        stream.Flush();
    }

    public void Dispose() => _hash.Dispose();
}
