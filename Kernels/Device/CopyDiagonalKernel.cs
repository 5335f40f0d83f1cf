using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>Copies the diagonal of the n×n matrix into the first n entries of a vector.</summary>
internal readonly struct CopyDiagonalKernel : IElementwiseDeviceKernel
{
    private readonly ArrayView<double> _matrix;
    private readonly int _n;
    private readonly ArrayView<double> _target;

    public CopyDiagonalKernel(ArrayView<double> matrix, int n, ArrayView<double> target)
    {
        _matrix = matrix;
        _n = n;
        _target = target;
    }

    public int Extent => _n;

    public void Execute(Index1D index) => _target[index] = _matrix[(long)index.X * _n + index.X];
}
