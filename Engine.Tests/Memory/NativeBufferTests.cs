using GpuNngp.Data;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Memory;

/// <summary>The native buffer behind every N×N and N×M matrix of the CPU path, and the public host matrix on it.</summary>
public sealed class NativeBufferTests
{
    [Fact]
    public unsafe void Buffer_IsAlignedAndHoldsWhatIsWritten()
    {
        using var buffer = HostBuffer.Allocate(1000);
        Assert.Equal(1000, buffer.Length);
        Assert.Equal(0, (long)buffer.Pointer % 64);
        buffer.Clear();
        Assert.All(buffer.ToArray(), v => Assert.Equal(0, v));
        buffer[999] = 2.5;
        Assert.Equal(2.5, buffer.Slice(990, 10)[9]);
    }

    [Fact]
    public void Buffer_RefusesIndicesAndSlicesOutsideIt()
    {
        using var buffer = HostBuffer.Allocate(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer[10]);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer[-1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(5, 6));
        // A start past 2^31 is an ordinary long here, refused only because this buffer is short.
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(3_000_000_000L, 1));
    }

    [Fact]
    public unsafe void Buffer_AfterDispose_RefusesAccess()
    {
        var buffer = HostBuffer.CopyOf([1.0, 2.0]);
        buffer.Dispose();
        buffer.Dispose(); // twice is harmless
        Assert.Throws<ObjectDisposedException>(() => (nint)buffer.Pointer);
        Assert.Throws<ObjectDisposedException>(() => buffer.Slice(0, 1).ToArray());
    }

    [Fact]
    public void HostMatrix_IsColumnMajor_AndConvertsToAndFromMathNet()
    {
        var source = Matrix<double>.Build.Dense(3, 4, (i, j) => 10 * i + j);
        using var host = HostMatrix.CopyOf(source);
        Assert.Equal(12, host.Count);
        Assert.True(host.FitsManagedMatrix);
        Assert.Equal(21, host[2, 1]);
        Assert.Equal([3.0, 13.0, 23.0], host.Column(3).ToArray());
        Assert.Equal(source, host.ToMatrix());
        Assert.Throws<ArgumentOutOfRangeException>(() => host[3, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => host.Column(4).Length);
    }

    [Fact]
    public void HostMatrix_WrittenAsNpy_ReadsBackAsTheSameMatrix()
    {
        using var temp = new TempDirectory();
        var source = Matrix<double>.Build.Dense(5, 3, (i, j) => Math.Sin(i + 7 * j));
        using var host = HostMatrix.CopyOf(source);
        MatrixFile.Write(temp.File("k.npy"), host);
        MatrixFile.Write(temp.File("k.csv"), host);
        Assert.Equal(source, MatrixFile.Read(temp.File("k.npy")));
        Assert.Equal(source, MatrixFile.Read(temp.File("k.csv")));
    }
}
