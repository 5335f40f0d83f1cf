using GpuNngp.Kernels;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Architecture;

/// <summary>One block of a spatial record (P_in × P_in) to its image under a layer's linear operation W (P_out × P_out).</summary>
internal delegate void BlockMap(ReadOnlySpan<double> block, Span<double> result);

/// <summary>
/// The spatial layers' common step (DESIGN.md §7): a linear operation W applied to every block of a
/// record — each pair's P × P NNGP and NTK, and each point's own blocks. A layer with weights
/// (weights given: Conv) makes K′ = σb² + σw²·W(K̃) and Θ′ = K′ + σw²·W(Θ̃); a
/// layer without (pooling, flatten) makes K′ = W(K̃) and Θ′ = W(Θ̃).
/// </summary>
internal static class SpatialLinearMap
{
    /// <summary>
    /// The record after W; <paramref name="output"/> is the new pixel grid (null: a flat record, one
    /// value per block). Every pair is computed, both triangles of a square record: W acts alike on a
    /// block and its transpose, so the result is symmetric exactly.
    /// </summary>
    public static KernelRecord Apply(KernelRecord input, SpatialShape? output, BlockMap map, DenseVariances? weights)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(map);
        int inBlock = input.PairBlockLength;
        int outBlock = output is { } shape ? shape.Pixels * shape.Pixels : 1;
        bool ntk = input.TracksNtk;
        int pairs = (int)ColumnMajor.Count(input.Rows, input.Columns);
        var (nngp, theta) = MapBlocks(input.Nngp, ntk ? input.Ntk : default, pairs, inBlock, outBlock, map, weights, ntk);
        var (rowSelf, rowNtk) = MapBlocks(input.RowVariance, ntk ? input.RowNtkDiagonal : default, input.Rows, inBlock, outBlock, map, weights, ntk);
        if (input.IsSymmetric)
        {
            return KernelRecord.Symmetric(input.Rows, nngp, rowSelf, theta, rowNtk, output);
        }

        var (columnSelf, columnNtk) = MapBlocks(input.ColumnVariance, ntk ? input.ColumnNtkDiagonal : default, input.Columns, inBlock, outBlock, map, weights, ntk);
        return KernelRecord.Rectangular(input.Rows, input.Columns, nngp, rowSelf, columnSelf, theta, rowNtk, columnNtk, output);
    }

    private static (double[] Nngp, double[]? Ntk) MapBlocks(
        ReadOnlyMemory<double> k, ReadOnlyMemory<double> theta, int blocks, int inBlock, int outBlock, BlockMap map, DenseVariances? weights, bool ntk)
    {
        var next = new double[(long)blocks * outBlock];
        double[]? nextTheta = ntk ? new double[next.Length] : null;
        Parallel.For(0, blocks, b =>
        {
            Span<double> result = next.AsSpan(b * outBlock, outBlock);
            map(k.Span.Slice(b * inBlock, inBlock), result);
            if (weights is { } w)
            {
                for (int e = 0; e < outBlock; e++)
                {
                    result[e] = w.Apply(result[e]);
                }
            }

            if (nextTheta is not null)
            {
                Span<double> resultTheta = nextTheta.AsSpan(b * outBlock, outBlock);
                map(theta.Span.Slice(b * inBlock, inBlock), resultTheta);
                if (weights is { } v)
                {
                    for (int e = 0; e < outBlock; e++)
                    {
                        resultTheta[e] = result[e] + v.WeightVariance * resultTheta[e];
                    }
                }
            }
        });
        return (next, nextTheta);
    }

    /// <summary>The record's pixel grid, or the one-line error that <paramref name="operation"/> needs an image-shaped kernel.</summary>
    public static SpatialShape RequireShape(KernelRecord input, string operation)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Shape ?? throw new NngpInputException($"{operation} needs an image-shaped kernel; this one is flat (after a flatten, a global pooling or flat inputs)");
    }
}
