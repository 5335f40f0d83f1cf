using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests.LinearAlgebra;

/// <summary>
/// The native provider's cancellable slabs (taken when the token can be cancelled) against its single
/// BLAS calls (taken when it cannot): syrk, gemm in all four transpositions, and the triangular solve.
/// </summary>
public sealed class CancellableBlasTests
{
    private static readonly IHostLinearAlgebra Native = HostLinearAlgebra.Native(out _) ?? throw new InvalidOperationException("native BLAS did not load");

    [Theory]
    [InlineData(1, 3)]
    [InlineData(300, 7)]
    [InlineData(1100, 2)] // slabs of 1,000+ columns and a ragged last one
    public void SymmetricRankK_InSlabs_EqualsOneCall(int n, int k)
    {
        using var a = Random(n * k, seed: n);
        using var single = HostBuffer.Allocate((long)n * n);
        using var slabs = HostBuffer.Allocate((long)n * n);
        Native.SymmetricRankK(n, k, 0.5, a, single, CancellationToken.None); // no token: the single call
        using var cancel = new CancellationTokenSource();
        Native.SymmetricRankK(n, k, 0.5, a, slabs, cancel.Token);
        for (int j = 0; j < n; j++)
        {
            for (int i = j; i < n; i++)
            {
                Assert.Equal(single[ColumnMajor.Index(i, j, n)], slabs[ColumnMajor.Index(i, j, n)], 1e-12);
            }
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Multiply_InSlabs_EqualsOneCall(bool transposeA, bool transposeB)
    {
        const int m = 90, n = 2000, k = 40;
        using var a = Random(m * k, seed: 1);
        using var b = Random(k * n, seed: 2);
        using var single = Random(m * n, seed: 3);
        using var slabs = Random(m * n, seed: 3);
        Native.Multiply(transposeA, transposeB, m, n, k, 1.5, a, b, 0.25, single, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        Native.Multiply(transposeA, transposeB, m, n, k, 1.5, a, b, 0.25, slabs, cancel.Token);
        for (long i = 0; i < (long)m * n; i++)
        {
            Assert.Equal(single[i], slabs[i], 1e-12);
        }
    }

    [Fact]
    public void LowerTriangularSolve_InBlocks_EqualsOneCall_AndStopsWhenCancelled()
    {
        const int n = 700, nrhs = 300;
        using var factor = Random(n * n, seed: 4);
        for (int i = 0; i < n; i++)
        {
            factor[ColumnMajor.Index(i, i, n)] = 2 + i % 3; // well conditioned: a dominant diagonal
            for (int r = i + 1; r < n; r++)
            {
                factor[ColumnMajor.Index(r, i, n)] /= n;
            }
        }

        using var single = Random(n * nrhs, seed: 5);
        using var blocked = Random(n * nrhs, seed: 5);
        Native.LowerTriangularSolve(factor, n, single, nrhs, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        Native.LowerTriangularSolve(factor, n, blocked, nrhs, cancel.Token);
        for (long i = 0; i < (long)n * nrhs; i++)
        {
            Assert.Equal(single[i], blocked[i], 1e-12);
        }

        cancel.Cancel();
        Assert.Throws<OperationCanceledException>(() => Native.LowerTriangularSolve(factor, n, blocked, nrhs, cancel.Token));
    }

    private static HostBuffer Random(int count, int seed)
    {
        var random = new Random(seed);
        var buffer = HostBuffer.Allocate(count);
        for (int i = 0; i < count; i++)
        {
            buffer[i] = random.NextDouble() - 0.5;
        }

        return buffer;
    }
}
