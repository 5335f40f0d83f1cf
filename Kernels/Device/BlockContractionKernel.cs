using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// One weighted layer's share of a sampled network's tangent kernel over a tile of point pairs:
/// sum[x, x′] += Σ_{p,q} G[(p,x), (q,x′)]·(weightScale·A[(p,x), (q,x′)] + bias), where G = gᵀg and
/// A = aᵀa are the Gram matrices of the tile's output gradients and layer inputs (im2col patches),
/// pixel fastest within a point: the weights' and the bias's gradient inner products summed over
/// the positions that share them. One thread per pair of the tile.
/// </summary>
internal readonly struct BlockContractionKernel(
    ArrayView<double> sum,
    ArrayView<double> gradientGram,
    ArrayView<double> inputGram,
    int pixels,
    int rowStart,
    int rowCount,
    int columnStart,
    int columnCount,
    int points,
    double weightScale,
    double bias) : IElementwiseDeviceKernel
{
    public int Extent => checked(rowCount * columnCount);

    public void Execute(Index1D index)
    {
        int r = index.X % rowCount, s = index.X / rowCount;
        long rows = (long)pixels * rowCount;
        double total = 0;
        for (int q = 0; q < pixels; q++)
        {
            long column = rows * ((long)s * pixels + q);
            for (int p = 0; p < pixels; p++)
            {
                long at = (long)r * pixels + p + column;
                total += gradientGram[at] * (weightScale * inputGram[at] + bias);
            }
        }

        sum[rowStart + r + (long)points * (columnStart + s)] += total;
    }
}
