using GpuNngp.Solvers;
using GpuNngp.Solvers.Host;
using Xunit;

namespace GpuNngp.Engine.Tests.LinearAlgebra;

/// <summary>
/// The blocked factorisation (<see cref="BlockedCholesky"/> over LAPACK/BLAS blocks) against LAPACK's
/// single dpotrf call on the same matrix: the same factor to ~1e-12 relative, the same failing minor,
/// progress monotone to 1, and a cancellation that stops it between blocks.
/// </summary>
public sealed class BlockedCholeskyTests
{
    public static TheoryData<int, int, int> Sizes() => new()
    {
        { 1, 4, 4 },
        { 37, 8, 8 },
        { 300, 64, 24 }, // slabs narrower than the block
        { 700, 256, 256 }, // the host's own block, with a ragged last one
        { 513, 256, 1000 }, // one slab wider than the trailing matrix
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void BlockedFactor_EqualsTheSingleCall(int n, int block, int slab)
    {
        using var single = SpdMatrix(n, seed: n);
        using var blocked = SpdMatrix(n, seed: n);
        Assert.Equal(0, NativeLinearAlgebra.SingleCallCholesky(single, n));
        Assert.Equal(0, BlockedCholesky.Factor(new NativeCholeskyBlocks(blocked, n), n, block, slab, null, TestContext.Current.CancellationToken));

        double largest = 0, difference = 0;
        for (int j = 0; j < n; j++)
        {
            for (int i = j; i < n; i++)
            {
                long at = ColumnMajor.Index(i, j, n);
                largest = Math.Max(largest, Math.Abs(single[at]));
                difference = Math.Max(difference, Math.Abs(single[at] - blocked[at]));
            }
        }

        Assert.True(difference <= 1e-12 * largest, $"max |Δ| = {difference:G3}, max |L| = {largest:G3}");
    }

    [Fact]
    public void TheNativeProvider_FactorisesInBlocks_AsTheSingleCall()
    {
        var native = HostLinearAlgebra.Native(out string? reason) ?? throw new InvalidOperationException($"native BLAS: {reason}");
        const int n = 600;
        using var single = SpdMatrix(n, seed: 5);
        using var blocked = SpdMatrix(n, seed: 5);
        NativeLinearAlgebra.SingleCallCholesky(single, n);
        Assert.Equal(0, native.CholeskyFactor(blocked, n, null, TestContext.Current.CancellationToken));
        for (int j = 0; j < n; j++)
        {
            for (int i = j; i < n; i++)
            {
                long at = ColumnMajor.Index(i, j, n);
                Assert.True(Math.Abs(single[at] - blocked[at]) <= 1e-12 * Math.Abs(single[0]), $"({i}, {j})");
            }
        }
    }

    [Theory]
    [InlineData(1)] // the first pivot
    [InlineData(100)] // inside the first block
    [InlineData(300)] // inside a later block
    [InlineData(257)] // the first pivot of the second block
    public void ANonPositiveMinor_IsReportedAsTheSingleCallReportsIt(int minor)
    {
        const int n = 400;
        using var single = SpdMatrix(n, seed: 9);
        using var blocked = SpdMatrix(n, seed: 9);
        foreach (var matrix in new[] { single, blocked })
        {
            MakeSingularAt(matrix, n, minor);
        }

        int expected = NativeLinearAlgebra.SingleCallCholesky(single, n);
        Assert.Equal(minor, expected);
        Assert.Equal(expected, BlockedCholesky.Factor(new NativeCholeskyBlocks(blocked, n), n, 256, 256, null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Progress_IsMonotone_AndEndsAtOne()
    {
        const int n = 1000;
        using var a = SpdMatrix(n, seed: 2);
        var fractions = new List<double>();
        BlockedCholesky.Factor(new NativeCholeskyBlocks(a, n), n, 64, 64, fractions.Add, TestContext.Current.CancellationToken);
        Assert.True(fractions.Count > 10, $"{fractions.Count} reports");
        Assert.True(fractions.Zip(fractions.Skip(1)).All(p => p.Second >= p.First), string.Join(", ", fractions));
        Assert.All(fractions, f => Assert.InRange(f, 0, 1));
        Assert.Equal(1, fractions[^1]);
    }

    [Fact]
    public void ACancellation_StopsItAtTheNextBlock()
    {
        const int n = 600;
        using var a = SpdMatrix(n, seed: 4);
        using var cancel = new CancellationTokenSource();
        var blocks = new CountingBlocks(new NativeCholeskyBlocks(a, n));
        Assert.Throws<OperationCanceledException>(() =>
            BlockedCholesky.Factor(blocks, n, 64, 64, _ => cancel.Cancel(), cancel.Token));

        // The first report comes after a slab of the first block's update: one more step at most.
        Assert.Equal(1, blocks.Diagonals);
        Assert.InRange(blocks.Updates, 1, 2);
    }

    /// <summary>A well-conditioned SPD matrix B·Bᵀ/n + I, lower triangle filled, NaN above (only the lower one may be read).</summary>
    private static HostBuffer SpdMatrix(int n, int seed)
    {
        var random = new Random(seed);
        var b = new double[n * n];
        for (int i = 0; i < b.Length; i++)
        {
            b[i] = random.NextDouble() - 0.5;
        }

        var a = HostBuffer.Allocate(ColumnMajor.Count(n, n));
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = i == j ? 1 : 0;
                if (i >= j)
                {
                    for (int k = 0; k < n; k++)
                    {
                        sum += b[i + k * n] * b[j + k * n] / n;
                    }
                }

                a[ColumnMajor.Index(i, j, n)] = i >= j ? sum : double.NaN;
            }
        }

        return a;
    }

    /// <summary>
    /// Row and column r = <paramref name="minor"/> − 1 become copies of row and column 0 with 1 less on
    /// the diagonal, so that the pivot of order <paramref name="minor"/> is −1 and every earlier one unchanged.
    /// </summary>
    private static void MakeSingularAt(HostBuffer a, int n, int minor)
    {
        int r = minor - 1;
        if (r == 0)
        {
            a[0] = -1;
            return;
        }

        double Lower(int i, int j) => i >= j ? a[ColumnMajor.Index(i, j, n)] : a[ColumnMajor.Index(j, i, n)];
        var row0 = Enumerable.Range(0, n).Select(j => Lower(0, j)).ToArray();
        for (int j = 0; j < n; j++)
        {
            double value = j == r ? row0[0] - 1 : row0[j];
            if (r >= j)
            {
                a[ColumnMajor.Index(r, j, n)] = value;
            }
            else
            {
                a[ColumnMajor.Index(j, r, n)] = value;
            }
        }
    }

    /// <summary>Counts the steps a factorisation made.</summary>
    private sealed class CountingBlocks(ICholeskyBlocks inner) : ICholeskyBlocks
    {
        public int Diagonals { get; private set; }

        public int Updates { get; private set; }

        public int FactorDiagonal(int k, int order)
        {
            Diagonals++;
            return inner.FactorDiagonal(k, order);
        }

        public void SolveBelow(int k, int order, int rows) => inner.SolveBelow(k, order, rows);

        public void UpdateDiagonal(int j, int width, int k, int order)
        {
            Updates++;
            inner.UpdateDiagonal(j, width, k, order);
        }

        public void UpdateBelow(int i, int rows, int j, int width, int k, int order) => inner.UpdateBelow(i, rows, j, width, k, order);
    }
}
