using GpuNngp.Data;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

public class AtomicFileTests
{
    [Fact]
    public void WriterThatThrowsMidwayLeavesNoFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.npy");

        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            stream.Flush();
            throw new InvalidOperationException("interrupted");
        }));

        Assert.Equal("interrupted", error.Message);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void FailedWriteKeepsThePreviousFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.csv");
        File.WriteAllText(path, "1,2\n");

        // A matrix whose enumeration fails half-way through the real CSV writer.
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream);
            Csv.Write(writer, Matrix<double>.Build.Dense(1000, 10, 3.0));
            writer.Flush();
            throw new InvalidOperationException("disk full, say");
        }));

        Assert.Equal("1,2\n", File.ReadAllText(path));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void SuccessfulWriteReplacesTheTarget()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.bin");
        File.WriteAllText(path, "old contents that are longer");

        AtomicFile.Write(path, stream => stream.Write([1, 2, 3]));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void MissingDirectoryIsAnInputError()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "no-such-dir", "out.npy");

        var error = Assert.Throws<NngpInputException>(() => MatrixFile.Write(path, Matrix<double>.Build.Dense(1, 1)));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
