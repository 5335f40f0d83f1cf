using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// Sets the diagonal of the n×n matrix to values[i] + noise + jitter (added in that order, as the CPU
/// does). The values are the host's diagonal chain K^{L+1}(x, x) / Θ(x, x): on the diagonal the map's
/// own result is ill-conditioned for kinked activations (the ReLU NTK's Ḟ = (π − θ)/(2π) has an
/// infinite slope at correlation 1, so one ulp of difference between K⁰(x, x) and q⁰(x), e.g. from a
/// fused multiply-add, moves Θ(x, x) by ~1e-8), while the chain computes it exactly at c = 1.
/// </summary>
internal readonly struct SetDiagonalKernel : IElementwiseDeviceKernel
{
    private readonly ArrayView<double> _matrix;
    private readonly int _n;
    private readonly ArrayView<double> _values;
    private readonly double _noise;
    private readonly double _jitter;

    public SetDiagonalKernel(ArrayView<double> matrix, int n, ArrayView<double> values, double noise, double jitter)
    {
        _matrix = matrix;
        _n = n;
        _values = values;
        _noise = noise;
        _jitter = jitter;
    }

    public int Extent => _n;

    public void Execute(Index1D index) =>
        _matrix[(long)index.X * _n + index.X] = _values[index] + _noise + _jitter;
}
