using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// output[i] = φ(z[i]) and, where <c>keepDerivative</c>, derivative[i] = φ′(z[i]) (<see cref="UnitFunctions"/>):
/// a sampled network's activation, with what its backward pass needs.
/// </summary>
internal readonly struct UnitActivationKernel(ArrayView<double> z, ArrayView<double> output, ArrayView<double> derivative, Activation activation, int keepDerivative)
    : IElementwiseDeviceKernel
{
    public int Extent => checked((int)z.Length);

    public void Execute(Index1D index)
    {
        double pre = z[index];
        output[index] = UnitFunctions.Value(activation, pre);
        if (keepDerivative != 0)
        {
            derivative[index] = UnitFunctions.Derivative(activation, pre);
        }
    }
}
