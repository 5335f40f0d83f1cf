using GpuNngp.Engine.Iterative;
using Xunit;

namespace GpuNngp.Engine.Tests.Iterative;

/// <summary>The CPU's fused FP32 × FP64 product against the same sums written as plain loops in FP64.</summary>
public sealed class Fp32HostProductTests
{
    [Theory]
    [InlineData(2100, 7, 6)] // rows across two chunks, an odd column left for the single-column path, 4 + 2 right-hand sides
    [InlineData(13, 2, 1)] // shorter than one vector: the scalar tails alone
    [InlineData(600, 300, 11)] // more columns than one worker's group
    public void Multiply_EqualsTheWidenedDotProducts(int n, int count, int columns)
    {
        var random = new Random(n + count + columns);
        float[] block = [.. Enumerable.Range(0, n * count).Select(_ => (float)(random.NextDouble() - 0.5))];
        double[] v = [.. Enumerable.Range(0, n * columns).Select(_ => random.NextDouble() - 0.5)];
        int resultRows = count + 5, resultStart = 3;
        var result = new double[resultRows * columns];
        Array.Fill(result, double.NaN); // every row the product owns must be written, the others left alone
        Fp32HostProduct.Multiply(block, n, count, v, columns, result, resultRows, resultStart, new ParallelOptions { CancellationToken = TestContext.Current.CancellationToken });
        for (int c = 0; c < columns; c++)
        {
            for (int j = 0; j < resultRows; j++)
            {
                double got = result[(c * resultRows) + j];
                if (j < resultStart || j >= resultStart + count)
                {
                    Assert.True(double.IsNaN(got), $"row {j} outside the product was written");
                    continue;
                }

                double expected = 0, scale = 0;
                for (int i = 0; i < n; i++)
                {
                    expected += (double)block[((j - resultStart) * n) + i] * v[(c * n) + i];
                    scale += Math.Abs((double)block[((j - resultStart) * n) + i] * v[(c * n) + i]);
                }

                Assert.True(Math.Abs(got - expected) <= 1e-14 * scale, $"column {c}, row {j}: {got} against {expected}");
            }
        }
    }
}
