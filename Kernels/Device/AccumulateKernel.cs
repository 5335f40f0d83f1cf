using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>target[i] += source[i]: a residual block's branches summed (forward) and their input gradients summed (backward).</summary>
internal readonly struct AccumulateKernel(ArrayView<double> target, ArrayView<double> source) : IElementwiseDeviceKernel
{
    public int Extent => checked((int)target.Length);

    public void Execute(Index1D index) => target[index] += source[index];
}
