using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace GpuNngp.Engine.Persistence;

/// <summary>
/// The reading half of <see cref="ChecksummedWriter"/>: little-endian values from a stream, every
/// byte into a SHA-256 that <see cref="VerifyChecksum"/> compares with the stored one. A stream that
/// ends early is refused as truncated, a value that cannot be as read as corrupted, each in one line.
/// </summary>
internal sealed class ChecksummedReader(Stream stream) : IDisposable
{
    private const int Chunk = 1 << 20;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _scalar = new byte[sizeof(long)];

    /// <summary>Bytes read so far.</summary>
    public long Position { get; private set; }

    /// <summary>The file's whole length in bytes, where the header gave it (for the truncation message).</summary>
    public long? ExpectedLength { get; set; }

    public int Int32()
    {
        Bytes(_scalar.AsSpan(0, sizeof(int)));
        return BinaryPrimitives.ReadInt32LittleEndian(_scalar);
    }

    public long Int64()
    {
        Bytes(_scalar);
        return BinaryPrimitives.ReadInt64LittleEndian(_scalar);
    }

    public double Double()
    {
        Bytes(_scalar);
        return BinaryPrimitives.ReadDoubleLittleEndian(_scalar);
    }

    public void Doubles(Span<double> target)
    {
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < target.Length; i++)
            {
                target[i] = Double();
            }

            return;
        }

        for (int start = 0; start < target.Length; start += Chunk)
        {
            Bytes(MemoryMarshal.AsBytes(target.Slice(start, Math.Min(Chunk, target.Length - start))));
        }
    }

    public double[] Doubles(long count)
    {
        var values = new double[count];
        Doubles(values);
        return values;
    }

    /// <summary>A string of at most <paramref name="maxBytes"/> UTF-8 bytes; <paramref name="what"/> names it if it is longer.</summary>
    public string String(string what, int maxBytes = 1 << 16)
    {
        int length = Int32();
        if (length < 0 || length > maxBytes)
        {
            throw Corrupted($"{what} is {length} bytes long");
        }

        var bytes = new byte[length];
        Bytes(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    public void Bytes(Span<byte> target)
    {
        int read = stream.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
        Position += read;
        if (read < target.Length)
        {
            throw Truncated();
        }

        _hash.AppendData(target);
    }

    /// <summary>Counts and hashes bytes the caller read from the stream itself (the magic, which must be checked before anything is called truncated).</summary>
    public void Absorb(ReadOnlySpan<byte> bytes)
    {
        Position += bytes.Length;
        _hash.AppendData(bytes);
    }

    /// <summary>Reads the stored SHA-256 and refuses the file unless it is the hash of every byte read before it.</summary>
    public void VerifyChecksum()
    {
        Span<byte> stored = stackalloc byte[SHA256.HashSizeInBytes];
        int read = stream.ReadAtLeast(stored, stored.Length, throwOnEndOfStream: false);
        Position += read;
        if (read < stored.Length)
        {
            throw Truncated();
        }

        Span<byte> computed = stackalloc byte[SHA256.HashSizeInBytes];
        _hash.GetHashAndReset(computed);
        if (!computed.SequenceEqual(stored))
        {
            throw Corrupted("its SHA-256 checksum does not match its content");
        }
    }

    /// <summary>The refusal of a stream that ends after <paramref name="end"/> bytes (by default, where reading stopped).</summary>
    public NngpInputException Truncated(long? end = null) => new(string.Create(CultureInfo.InvariantCulture,
        $"the posterior file is truncated: it ends after {end ?? Position:N0} bytes{(ExpectedLength is { } length ? $" of {length:N0}" : "")}"));

    public static NngpInputException Corrupted(string problem) => new($"the posterior file is corrupted: {problem}");

    public void Dispose() => _hash.Dispose();
}
