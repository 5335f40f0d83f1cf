using GpuNngp.Engine.Distributed;
using GpuNngp.Solvers.Distributed;
using Xunit;

namespace GpuNngp.Engine.Tests.Distributed;

/// <summary>
/// The block-cyclic index arithmetic against a direct enumeration: deal the blocks of 0..n−1 to the
/// processes round-robin and list each process's indices in order, as ScaLAPACK stores them.
/// </summary>
public sealed class BlockCyclicAxisTests
{
    /// <summary>Each process's global indices in local order, by dealing whole blocks one after another.</summary>
    private static List<int>[] Dealt(int n, int block, int processes)
    {
        var owned = Enumerable.Range(0, processes).Select(_ => new List<int>()).ToArray();
        for (int start = 0, b = 0; start < n; start += block, b++)
        {
            for (int g = start; g < Math.Min(n, start + block); g++)
            {
                owned[b % processes].Add(g);
            }
        }

        return owned;
    }

    [Theory]
    [InlineData(0, 4, 3)]
    [InlineData(1, 64, 2)]
    [InlineData(10, 3, 1)]
    [InlineData(100, 7, 3)]
    [InlineData(128, 64, 2)]
    [InlineData(300, 16, 2)]
    [InlineData(301, 64, 4)]
    [InlineData(5, 2, 7)]
    public void Axis_MatchesTheDealtBlocks(int n, int block, int processes)
    {
        var dealt = Dealt(n, block, processes);
        for (int p = 0; p < processes; p++)
        {
            var axis = new BlockCyclicAxis(n, block, processes, p);
            Assert.Equal(dealt[p].Count, axis.LocalLength);
            for (int local = 0; local < dealt[p].Count; local++)
            {
                int global = dealt[p][local];
                Assert.Equal(global, axis.ToGlobal(local));
                Assert.Equal(local, axis.ToLocal(global));
                Assert.Equal(p, axis.Owner(global));
                Assert.True(axis.Owns(global));
            }

            for (int g = 0; g <= n; g++)
            {
                Assert.Equal(dealt[p].Count(owned => owned < g), axis.LocalCountBelow(g));
            }
        }
    }

    [Fact]
    public void Layout_ColumnPrefixKeepsEveryLocalPlace()
    {
        var wide = BlockCyclicLayout.Create(rows: 50, columns: 40, block: 8, gridRows: 2, gridColumns: 3, row: 1, column: 2);
        var narrow = wide.WithColumns(17);
        Assert.Equal(wide.LeadingDimension, narrow.LeadingDimension);
        Assert.Equal(Dealt(17, 8, 3)[2].Count, narrow.LocalColumns);
        for (int jl = 0; jl < narrow.LocalColumns; jl++)
        {
            Assert.Equal(wide.ColumnAxis.ToGlobal(jl), narrow.ColumnAxis.ToGlobal(jl));
            Assert.Equal(wide.LocalIndex(3, jl), narrow.LocalIndex(3, jl));
        }
    }

    [Fact]
    public void Layout_OfAnEmptyPart_StillHasALeadingDimensionOfOne()
    {
        // 5 rows in blocks of 8 leave process row 1 of 2 without rows; ScaLAPACK requires LLD ≥ 1.
        var layout = BlockCyclicLayout.Create(rows: 5, columns: 3, block: 8, gridRows: 2, gridColumns: 1, row: 1, column: 0);
        Assert.Equal(0, layout.LocalRows);
        Assert.Equal(1, layout.LeadingDimension);
        Assert.Equal(layout.LeadingDimension * 3, layout.LocalCount);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 1, 2)]
    [InlineData(4, 2, 2)]
    [InlineData(6, 2, 3)]
    [InlineData(7, 1, 7)]
    [InlineData(12, 3, 4)]
    [InlineData(16, 4, 4)]
    public void Grid_IsTheSquarestFactorisation(int processes, int rows, int columns) =>
        Assert.Equal((rows, columns), ProcessGrid.Shape(processes));
}
