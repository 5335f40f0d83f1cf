using System.Runtime.InteropServices;

namespace GpuNngp.Kernels;

/// <summary>The prior of one dense layer: weights ~ N(0, σw²/n_in), biases ~ N(0, σb²).</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct DenseVariances(double WeightVariance, double BiasVariance)
{
    /// <summary>The covariance after this layer: σb² + σw²·k.</summary>
    public double Apply(double k) => BiasVariance + WeightVariance * k;
}
