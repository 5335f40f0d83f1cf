using System.Runtime.CompilerServices;
using GpuNngp.Engine.Distributed;
using GpuNngp.Solvers.Cuda;
using GpuNngp.Solvers.Distributed;
using Xunit;

namespace GpuNngp.Engine.Tests.Distributed;

/// <summary>
/// The GPU ranks' host-side logic, without a GPU: the grid placed without BLACS (against a row-by-row
/// enumeration), every entry of a matrix owned by exactly one rank of it, the device arrays given to
/// cuSOLVERMp, the progress count of a lower triangle (against a direct count) and the NCCL id's size.
/// </summary>
public sealed class GpuRankLayoutTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(12)]
    public void TheGridWithoutBlacs_PlacesRanksRowByRow(int processes)
    {
        var (rows, columns) = ProcessGrid.Shape(processes);
        int rank = 0;
        for (int row = 0; row < rows; row++)
        {
            for (int column = 0; column < columns; column++, rank++)
            {
                var grid = ProcessGrid.WithoutBlacs(rank, processes, 8);
                Assert.Equal((row, column), (grid.Row, grid.Column));
                Assert.Equal((rows, columns), (grid.Rows, grid.Columns));
                Assert.Equal(-1, grid.Context);
            }
        }

        Assert.Equal(processes, rank);
    }

    [Theory]
    [InlineData(4, 37, 23, 5)]
    [InlineData(6, 64, 64, 8)]
    [InlineData(1, 10, 3, 4)]
    public void EveryEntry_HasExactlyOneOwnerRank(int processes, int rows, int columns, int block)
    {
        var owners = new int[rows, columns];
        long stored = 0;
        for (int rank = 0; rank < processes; rank++)
        {
            var layout = ProcessGrid.WithoutBlacs(rank, processes, block).Layout(rows, columns);
            stored += (long)layout.LocalRows * layout.LocalColumns;
            for (int jl = 0; jl < layout.LocalColumns; jl++)
            {
                for (int il = 0; il < layout.LocalRows; il++)
                {
                    owners[layout.RowAxis.ToGlobal(il), layout.ColumnAxis.ToGlobal(jl)]++;
                }
            }
        }

        Assert.Equal((long)rows * columns, stored);
        Assert.All(owners.Cast<int>(), count => Assert.Equal(1, count));
    }

    [Theory]
    [InlineData(4, 37, 5)]
    [InlineData(6, 100, 8)]
    [InlineData(1, 9, 4)]
    public void TheLowerTriangleProgress_CountsEachRanksEntriesOnOrBelowTheDiagonal(int processes, int n, int block)
    {
        long total = 0;
        for (int rank = 0; rank < processes; rank++)
        {
            var layout = ProcessGrid.WithoutBlacs(rank, processes, block).Layout(n, n);
            long direct = 0;
            for (int jl = 0; jl < layout.LocalColumns; jl++)
            {
                for (int il = 0; il < layout.LocalRows; il++)
                {
                    direct += layout.RowAxis.ToGlobal(il) >= layout.ColumnAxis.ToGlobal(jl) ? 1 : 0;
                }
            }

            Assert.Equal(direct, GpuRankProvider.OwnLowerTriangleEntries(layout));
            total += direct;
        }

        Assert.Equal((long)n * (n + 1) / 2, total);
    }

    [Theory]
    [InlineData(37, 23, 5, 2, 2)]
    [InlineData(64, 64, 64, 1, 1)]
    [InlineData(10, 1, 4, 1, 2)]
    public void TheDeviceArrays_HoldTheLocalArrayInWholeBlocksOfColumns(int rows, int columns, int block, int gridRows, int gridColumns)
    {
        for (int row = 0; row < gridRows; row++)
        {
            for (int column = 0; column < gridColumns; column++)
            {
                var layout = BlockCyclicLayout.Create(rows, columns, block, gridRows, gridColumns, row, column);
                long length = CusolverMpGrid.DeviceLength(layout);
                int wholeBlocks = (layout.LocalColumns + block - 1) / block;
                Assert.Equal(Math.Max(layout.LocalCount, (long)layout.LeadingDimension * Math.Max(1, wholeBlocks * block)), length);
                Assert.True(length >= layout.LocalCount);
                Assert.Equal(0, length % layout.LeadingDimension);
            }
        }
    }

    [Fact]
    public void TheNcclUniqueId_IsNcclsOneHundredTwentyEightBytes()
    {
        // NCCL_UNIQUE_ID_BYTES in nccl.h; ncclCommInitRank takes the struct by value.
        Assert.Equal(128, Unsafe.SizeOf<NcclNative.UniqueId>());
    }
}
