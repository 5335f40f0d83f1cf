using GpuNngp.Kernels;

namespace GpuNngp;

/// <summary>
/// A pointwise nonlinearity, made by the builders of <see cref="Nngp"/>. Built-in ones carry their
/// activation's parameters; a custom one carries the user's φ (and φ' if the NTK is wanted),
/// integrated by quadrature on the CPU.
/// </summary>
public sealed record ActivationLayer : ILayer
{
    internal ActivationLayer(string name, Activation activation, Func<double, double>? customValue = null, Func<double, double>? customDerivative = null)
    {
        Name = name;
        Activation = activation;
        CustomValue = customValue;
        CustomDerivative = customDerivative;
    }

    /// <summary>e.g. "Relu", "LeakyRelu(0.01)" or a custom activation's name.</summary>
    public string Name { get; }

    /// <summary>True when the user supplied φ as a delegate (<see cref="Nngp.Custom"/>).</summary>
    public bool IsCustom => CustomValue is not null;

    internal Activation Activation { get; }

    internal Func<double, double>? CustomValue { get; }

    internal Func<double, double>? CustomDerivative { get; }

    /// <summary>The <see cref="Name"/>.</summary>
    public override string ToString() => Name;
}
