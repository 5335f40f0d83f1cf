using System.Buffers.Binary;
using GpuNngp.Data;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

public class IdxReaderTests
{
    // Two 2×3 "images" with distinct values, so any mix-up of order shows.
    private static readonly byte[] Pixels = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 255];

    [Fact]
    public void ReadsRawUint8File()
    {
        using var dir = new TempDirectory();
        var path = dir.File("images-idx3-ubyte");
        File.WriteAllBytes(path, TestFiles.Idx(0x08, [2, 2, 3], Pixels));

        var idx = IdxReader.Read(path);

        Assert.Equal(IdxElementType.UInt8, idx.ElementType);
        Assert.Equal([2, 2, 3], idx.Dimensions);
        Assert.Equal(12, idx.Length);
        Assert.Equal(6, idx.ValuesPerItem);
        Assert.Equal(Pixels.Select(p => (double)p), idx.ToDoubleArray());

        var matrix = idx.ToMatrix();
        Assert.Equal(2, matrix.RowCount);
        Assert.Equal(6, matrix.ColumnCount);
        Assert.Equal(1, matrix[0, 1]);
        Assert.Equal(10, matrix[1, 0]);
        Assert.Equal(255, matrix[1, 5]);

        var second = idx.ToMatrix(1, 1);
        Assert.Equal([10.0, 11, 12, 13, 14, 255], second.Row(0).ToArray());
    }

    [Fact]
    public void ReadsGzipFileByMagicNotByName()
    {
        using var dir = new TempDirectory();
        var raw = TestFiles.Idx(0x08, [2, 2, 3], Pixels);
        var gz = TestFiles.Gzip(raw);
        Assert.Equal(0x1f, gz[0]);
        // A compressed file without .gz in its name must still be recognised.
        var path = dir.File("images-idx3-ubyte");
        File.WriteAllBytes(path, gz);

        var fromFile = IdxReader.Read(path);
        using var seekable = new MemoryStream(gz);
        var fromStream = IdxReader.Read(seekable, "mem.gz");
        using var forward = new ForwardOnlyStream(gz);
        var fromPipe = IdxReader.Read(forward, "pipe");

        foreach (var idx in new[] { fromFile, fromStream, fromPipe })
        {
            Assert.Equal([2, 2, 3], idx.Dimensions);
            Assert.Equal(Pixels.Select(p => (double)p), idx.ToDoubleArray());
        }
    }

    [Fact]
    public void RawFileFromForwardOnlyStream()
    {
        using var forward = new ForwardOnlyStream(TestFiles.Idx(0x08, [12], Pixels));
        var idx = IdxReader.Read(forward, "pipe");
        Assert.Equal([12], idx.Dimensions);
        Assert.Equal(255, idx[11]);
        Assert.Equal(12, idx.ToMatrix().RowCount);
        Assert.Equal(1, idx.ToMatrix().ColumnCount);
    }

    [Theory]
    [InlineData(0x09)]
    [InlineData(0x0B)]
    [InlineData(0x0C)]
    [InlineData(0x0D)]
    [InlineData(0x0E)]
    public void ReadsEveryElementTypeBigEndian(byte type)
    {
        double[] values = type == 0x09 ? [-128, -1, 0, 127] : [-300.5, -1, 0, 70000.25];
        if (type is 0x0B or 0x0C)
        {
            values = type == 0x0B ? [-300, -1, 0, 32767] : [-70000, -1, 0, int.MaxValue];
        }

        int size = type switch { 0x09 => 1, 0x0B => 2, 0x0C or 0x0D => 4, _ => 8 };
        var payload = new byte[size * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            var slot = payload.AsSpan(size * i, size);
            switch (type)
            {
                case 0x09: slot[0] = unchecked((byte)(sbyte)values[i]); break;
                case 0x0B: BinaryPrimitives.WriteInt16BigEndian(slot, (short)values[i]); break;
                case 0x0C: BinaryPrimitives.WriteInt32BigEndian(slot, (int)values[i]); break;
                case 0x0D: BinaryPrimitives.WriteSingleBigEndian(slot, (float)values[i]); break;
                default: BinaryPrimitives.WriteDoubleBigEndian(slot, values[i]); break;
            }
        }

        using var stream = new MemoryStream(TestFiles.Idx(type, [2, 2], payload));
        var idx = IdxReader.Read(stream, "typed.idx");

        Assert.Equal((IdxElementType)type, idx.ElementType);
        Assert.Equal(values, idx.ToDoubleArray());
    }

    [Fact]
    public void TruncatedFileIsAnInputErrorNamingTheFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("train-images.idx");
        File.WriteAllBytes(path, TestFiles.Idx(0x08, [2, 2, 3], Pixels)[..^5]);

        var error = Assert.Throws<NngpInputException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated IDX file: header says 2×2×3 values (12 bytes), 7 bytes present", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void TruncatedHeaderIsAnInputError()
    {
        using var stream = new MemoryStream(TestFiles.Idx(0x08, [2, 2, 3], Pixels)[..9]);
        var error = Assert.Throws<NngpInputException>(() => IdxReader.Read(stream, "short.idx"));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedGzipIsAnInputError()
    {
        var gz = TestFiles.Gzip(TestFiles.Idx(0x08, [50, 20], Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray()));
        using var stream = new MemoryStream(gz[..(gz.Length / 2)]);
        var error = Assert.Throws<NngpInputException>(() => IdxReader.Read(stream, "cut.gz"));
        Assert.StartsWith("cut.gz: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptGzipIsAnInputError()
    {
        var gz = TestFiles.Gzip(TestFiles.Idx(0x08, [2, 2, 3], Pixels));
        // Keep the gzip header (so it is detected) and destroy the deflate data after it.
        for (int i = 10; i < gz.Length; i++)
        {
            gz[i] = 0xff;
        }

        using var stream = new MemoryStream(gz);
        var error = Assert.Throws<NngpInputException>(() => IdxReader.Read(stream, "bad.gz"));
        Assert.Equal("bad.gz: corrupt gzip stream", error.Message);
        Assert.IsType<InvalidDataException>(error.InnerException);
    }

    [Fact]
    public void WrongMagicUnknownTypeAndTrailingBytesAreRejected()
    {
        var good = TestFiles.Idx(0x08, [12], Pixels);

        var wrongMagic = (byte[])good.Clone();
        wrongMagic[0] = 0x50;
        Assert.Contains("not an IDX file",
            Assert.Throws<NngpInputException>(() => IdxReader.Read(new MemoryStream(wrongMagic), "a")).Message, StringComparison.Ordinal);

        var unknownType = (byte[])good.Clone();
        unknownType[2] = 0x0A;
        Assert.Contains("0x0a is unknown",
            Assert.Throws<NngpInputException>(() => IdxReader.Read(new MemoryStream(unknownType), "a")).Message, StringComparison.Ordinal);

        var trailing = good.Concat(new byte[] { 1, 2 }).ToArray();
        Assert.Contains("data after",
            Assert.Throws<NngpInputException>(() => IdxReader.Read(new MemoryStream(trailing), "a")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsAnInputError()
    {
        using var dir = new TempDirectory();
        var path = dir.File("nothing-idx1-ubyte");
        var error = Assert.Throws<NngpInputException>(() => IdxReader.Read(path));
        Assert.Equal($"{path}: file not found", error.Message);
    }
}
