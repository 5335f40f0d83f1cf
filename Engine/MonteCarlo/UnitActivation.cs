using GpuNngp.Kernels;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// φ and φ′ of one activation layer applied to the units of a sampled network: a built-in one by
/// <see cref="UnitFunctions"/> (the very code the device kernels run), a custom one through the
/// user's delegates (host only).
/// </summary>
internal sealed class UnitActivation
{
    private readonly ActivationLayer _layer;

    public UnitActivation(ActivationLayer layer) => _layer = layer;

    /// <summary>True when φ′ is known (a custom activation without a derivative has none: no NTK).</summary>
    public bool HasDerivative => !_layer.IsCustom || _layer.CustomDerivative is not null;

    /// <summary>True for a user's delegates, which only host code can call.</summary>
    public bool IsCustom => _layer.IsCustom;

    /// <summary>The built-in activation as plain data (for the device kernels).</summary>
    public Activation Activation => _layer.Activation;

    public string Name => _layer.Name;

    public double Value(double x) => _layer.IsCustom ? _layer.CustomValue!(x) : UnitFunctions.Value(_layer.Activation, x);

    public double Derivative(double x) => _layer.IsCustom ? _layer.CustomDerivative!(x) : UnitFunctions.Derivative(_layer.Activation, x);
}
