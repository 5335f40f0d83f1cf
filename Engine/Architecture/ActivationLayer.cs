using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// A pointwise nonlinearity. Built-in ones carry their <see cref="Activation"/>; a custom one carries
/// the user's φ (and φ' if the NTK is wanted), integrated by quadrature on the CPU.
/// </summary>
public sealed record ActivationLayer(
    string Name,
    Activation Activation,
    Func<double, double>? CustomValue = null,
    Func<double, double>? CustomDerivative = null) : ILayer
{
    public override string ToString() => Name;
}
