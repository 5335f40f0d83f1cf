namespace GpuNngp.Kernels;

/// <summary>
/// The nonlinearities the kernel recursion knows. The first group has closed-form dual kernels;
/// the second is integrated numerically (<see cref="DualQuadrature"/>). The numeric values are stable: they
/// travel to the GPU inside <see cref="Activation"/>.
/// </summary>
internal enum ActivationKind
{
    /// <summary>φ(x) = x.</summary>
    Identity = 0,

    /// <summary>φ(x) = a·min(x, 0) + b·max(x, 0): ReLU (a = 0, b = 1), LeakyReLU (a = α, b = 1), Abs (a = −1, b = 1).</summary>
    AbRelu = 1,

    /// <summary>φ(x) = erf(x).</summary>
    Erf = 2,

    /// <summary>φ(x) = x·Φ(x), Φ the standard normal CDF.</summary>
    Gelu = 3,

    /// <summary>φ(x) = tanh(x); quadrature.</summary>
    Tanh = 10,

    /// <summary>φ(x) = log(1 + eˣ); quadrature.</summary>
    Softplus = 11,

    /// <summary>φ(x) = 1 / (1 + e⁻ˣ); quadrature.</summary>
    Sigmoid = 12,

    /// <summary>φ(x) = x / (1 + e⁻ˣ) (SiLU); quadrature.</summary>
    Swish = 13,

    /// <summary>A user-supplied delegate; quadrature, CPU only.</summary>
    Custom = 100,
}
