using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>target[i] = a[i]·b[i]: a gradient through an activation, φ′(z) ⊙ ∂f/∂φ(z).</summary>
internal readonly struct ElementwiseProductKernel(ArrayView<double> target, ArrayView<double> a, ArrayView<double> b) : IElementwiseDeviceKernel
{
    public int Extent => checked((int)target.Length);

    public void Execute(Index1D index) => target[index] = a[index] * b[index];
}
