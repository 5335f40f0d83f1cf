using System.Numerics;
using GpuNngp.Data;
using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests.Memory;

/// <summary>
/// The offset arithmetic of the CPU path at sizes past 2^31 entries (N = 50,000 and beyond), checked
/// against BigInteger arithmetic without allocating such a matrix: every N×N and N×M offset of the
/// map, the factorisation's diagonal, the tiles and the file writer goes through these functions.
/// </summary>
public sealed class SixtyFourBitIndexTests
{
    [Theory]
    [InlineData(0, 46_341, 50_000)]       // the first column whose start passes 2^31
    [InlineData(49_999, 49_999, 50_000)]  // the last entry of a 50k kernel
    [InlineData(12_345, 60_000, 60_000)]
    [InlineData(7, 2_000_000, 46_341)]    // a long N×M tile
    public void ColumnMajorIndex_IsExactPast2To31(int row, int column, int rows)
    {
        BigInteger expected = (BigInteger)column * rows + row;
        Assert.Equal(expected, (BigInteger)ColumnMajor.Index(row, column, rows));
        Assert.Equal((BigInteger)column * rows, (BigInteger)ColumnMajor.ColumnStart(column, rows));
        Assert.True(ColumnMajor.Index(row, column, rows) > int.MaxValue);
    }

    [Fact]
    public void EntryCount_OfTheFiftyThousandKernel_IsTwoAndAHalfBillion()
    {
        Assert.Equal((BigInteger)50_000 * 50_000, (BigInteger)ColumnMajor.Count(50_000, 50_000));
        Assert.Equal(20_000_000_000L, MemoryPlan.SquareBytes(50_000));
        Assert.Equal((BigInteger)int.MaxValue * int.MaxValue, (BigInteger)ColumnMajor.Count(int.MaxValue, int.MaxValue));
    }

    [Fact]
    public void TestTile_AtFiftyThousand_KeepsEachTileInsideOneSpan()
    {
        int tile = MemoryPlan.TestTile(CpuProvider.ModelFor(HostLinearAlgebra.Managed), null, 50_000, 1, 1, 1, 10_000);
        Assert.Equal(MemoryPlan.HostTileBytes / (8 * 50_000), tile);
        Assert.True(ColumnMajor.Count(50_000, tile) * 8 <= MemoryPlan.HostTileBytes);
        Assert.Equal(10_000, MemoryPlan.TestTile(CpuProvider.ModelFor(HostLinearAlgebra.Managed), null, 1_000, 1, 1, 1, 10_000));  // capped at M
        Assert.Equal(1, MemoryPlan.TestTile(CpuProvider.ModelFor(HostLinearAlgebra.Managed), null, int.MaxValue, 1, 1, 1, 5));      // never zero
        // With 50,000 cached validation points, the last tile starts past 2^31 in K⁰_DV (N×V).
        int lastStart = 50_000 / tile * tile;
        Assert.True(ColumnMajor.ColumnStart(lastStart, 50_000) > int.MaxValue);
    }

    [Fact]
    public void NpyFileLength_OfTheFiftyThousandKernel_IsHeaderPlusTwentyGigabytes()
    {
        // The header NumPy writes for shape (50000, 50000): magic, version, length, dict, padded to 64.
        string dict = "{'descr': '<f8', 'fortran_order': True, 'shape': (50000, 50000), }";
        long header = (10 + dict.Length + 1 + 63) / 64 * 64;
        Assert.Equal(header + 20_000_000_000L, NpyWriter.FileLength(50_000, 50_000, fortranOrder: true));
        Assert.Equal(128, header);
    }

    [Fact]
    public void NpyFileLength_MatchesWhatTheWriterWrites()
    {
        using var matrix = HostMatrix.CopyOf(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(3, 2, [1, 2, 3, 4, 5, 6]));
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, matrix);
        Assert.Equal(NpyWriter.FileLength(3, 2, fortranOrder: true), stream.Length);
    }
}
