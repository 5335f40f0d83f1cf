using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// Sets the diagonal of the n×n matrix to values[i] + noise + jitter (added in that order, as the CPU
/// does). The values are the host's diagonal chain K^{L+1}(x, x) / Θ(x, x): on the diagonal the map's
/// own result is ill-conditioned for kinked activations (the ReLU NTK's Ḟ = (π − θ)/(2π) has an
/// infinite slope at correlation 1, so one ulp of difference between K⁰(x, x) and q⁰(x), e.g. from a
/// fused multiply-add, moves Θ(x, x) by ~1e-8), while the chain computes it exactly at c = 1.
/// </summary>
internal readonly struct SetDiagonalKernel(ArrayView<double> matrix, int n, ArrayView<double> values, double noise, double jitter) : IElementwiseDeviceKernel
{
    public int Extent => n;

    public void Execute(Index1D index) =>
        matrix[(long)index.X * n + index.X] = values[index] + noise + jitter;
}
