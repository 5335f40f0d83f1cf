using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// The forward step of a window layer of a sampled network, one thread per output element. Tensors of
/// the points are column-major channels × (pixel, point), element (c, p, x) at c + C·(p + P·x).
/// With <c>patches</c> it writes the im2col matrix of a convolution, (δ·C + c, (p_out, x)) = the
/// input at (c, source(p_out, δ), x) or 0 on padding, so the convolution is one gemm; otherwise it
/// writes an average pooling, (c, p_out, x) = scale·Σ_δ input(c, source(p_out, δ), x).
/// </summary>
internal readonly struct WindowGatherKernel(
    ArrayView<double> input, ArrayView<double> output, int channels, int inPixels, int outPixels, int offsets, ArrayView<int> sources, int points, double scale, int patches)
    : IElementwiseDeviceKernel
{
    public int Extent => checked((patches != 0 ? offsets : 1) * channels * outPixels * points);

    public void Execute(Index1D index)
    {
        long i = index.X;
        if (patches != 0)
        {
            int rows = offsets * channels;
            int row = (int)(i % rows);
            long column = i / rows;
            int delta = row / channels, c = row % channels;
            int pixel = (int)(column % outPixels);
            long point = column / outPixels;
            int source = sources[pixel * offsets + delta];
            output[i] = source < 0 ? 0 : input[c + channels * (source + inPixels * point)];
            return;
        }

        int channel = (int)(i % channels);
        long outColumn = i / channels;
        int outPixel = (int)(outColumn % outPixels);
        long x = outColumn / outPixels;
        double sum = 0;
        for (int d = 0; d < offsets; d++)
        {
            int s = sources[outPixel * offsets + d];
            if (s >= 0)
            {
                sum += input[channel + channels * (s + inPixels * x)];
            }
        }

        output[i] = scale * sum;
    }
}
