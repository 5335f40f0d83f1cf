using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// The backward step of a window layer (the transpose of <see cref="WindowGatherKernel"/>), written
/// as a gather so that no two threads add to one element: one thread per input element (c, a, x)
/// sums the output gradients of the window positions that read pixel a, listed by the inverse table
/// (entries starts[a] … starts[a+1] − 1, each p_out·offsets + δ). With <c>patches</c> it reads the
/// im2col gradient (col2im), otherwise the pooled gradient, times scale.
/// </summary>
internal readonly struct WindowScatterKernel(
    ArrayView<double> outputGradient,
    ArrayView<double> inputGradient,
    int channels,
    int inPixels,
    int outPixels,
    int offsets,
    ArrayView<int> starts,
    ArrayView<int> entries,
    int points,
    double scale,
    int patches) : IElementwiseDeviceKernel
{
    public int Extent => checked(channels * inPixels * points);

    public void Execute(Index1D index)
    {
        long i = index.X;
        int c = (int)(i % channels);
        long column = i / channels;
        int pixel = (int)(column % inPixels);
        long point = column / inPixels;
        double sum = 0;
        for (int e = starts[pixel]; e < starts[pixel + 1]; e++)
        {
            int entry = entries[e];
            int outPixel = entry / offsets, delta = entry % offsets;
            long outColumn = outPixel + (long)outPixels * point;
            sum += patches != 0
                ? outputGradient[delta * channels + c + (long)offsets * channels * outColumn]
                : outputGradient[c + channels * outColumn];
        }

        inputGradient[i] = scale * sum;
    }
}
