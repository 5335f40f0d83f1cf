using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>z[i] += scale·bias[i mod rows]: a layer's bias added to every column (pixel, point) of its rows × columns output.</summary>
internal readonly struct BiasKernel(ArrayView<double> z, ArrayView<double> bias, int rows, double scale) : IElementwiseDeviceKernel
{
    public int Extent => checked((int)z.Length);

    public void Execute(Index1D index) => z[index] += scale * bias[index.X % rows];
}
