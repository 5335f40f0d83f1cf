namespace GpuNngp.Kernels;

/// <summary>
/// What the per-entry recursion reads about the network: the input layer, the hidden layers, the
/// pointwise activations and the quadrature rule. A struct implements it per side — arrays on the
/// CPU, device views on the GPU — so the same generic code runs on both without allocation.
/// </summary>
internal interface INetworkView
{
    /// <summary>The dense layer applied to the input covariance: K¹ = σb² + σw²·K⁰.</summary>
    DenseVariances Input { get; }

    /// <summary>L, the number of hidden layers (activation, then dense).</summary>
    int Depth { get; }

    /// <summary>Hidden layer l, 0 ≤ l &lt; L.</summary>
    HiddenLayer Layer(int layer);

    /// <summary>φ of hidden layer l at x (used by quadrature only).</summary>
    double Phi(int layer, double x);

    /// <summary>φ' of hidden layer l at x (used by quadrature for the NTK only).</summary>
    double PhiDerivative(int layer, double x);

    /// <summary>The rule for activations without a closed form (<see cref="QuadratureMethod.None"/> when there are none).</summary>
    QuadratureMethod Quadrature { get; }

    /// <summary>Gauss–Hermite nodes per dimension, or Gauss–Legendre points per panel; 0 without a rule.</summary>
    int QuadratureOrder { get; }

    /// <summary>Node i of the rule: for E[f(z)], z ~ N(0, 1) (Gauss–Hermite), or on [−1, 1] (Gauss–Legendre).</summary>
    double QuadratureNode(int i);

    /// <summary>Weight i of that rule (the weights sum to 1, or to 2 on [−1, 1]).</summary>
    double QuadratureWeight(int i);
}
