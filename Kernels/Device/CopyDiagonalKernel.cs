using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>Copies the diagonal of the n×n matrix into the first n entries of a vector.</summary>
internal readonly struct CopyDiagonalKernel(ArrayView<double> matrix, int n, ArrayView<double> target) : IElementwiseDeviceKernel
{
    public int Extent => n;

    public void Execute(Index1D index) => target[index] = matrix[(long)index.X * n + index.X];
}
