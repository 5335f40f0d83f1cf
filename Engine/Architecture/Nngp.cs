using System.Collections.Immutable;
using GpuNngp.Kernels;

namespace GpuNngp;

/// <summary>The building blocks of an architecture, in the style of Neural Tangents' stax.</summary>
public static class Nngp
{
    public static Network Serial(params ILayer[] layers) => new(ImmutableArray.Create(layers));

    public static DenseLayer Dense(double weightVariance, double biasVariance) => new(weightVariance, biasVariance);

    public static ActivationLayer Relu() => new("Relu", Activation.Relu);

    public static ActivationLayer LeakyRelu(double alpha) => new(FormattableString.Invariant($"LeakyRelu({alpha:G6})"), Activation.LeakyRelu(alpha));

    public static ActivationLayer AbRelu(double negativeSlope, double positiveSlope) =>
        new(FormattableString.Invariant($"AbRelu({negativeSlope:G6}, {positiveSlope:G6})"), new Activation(ActivationKind.AbRelu, negativeSlope, positiveSlope));

    public static ActivationLayer Abs() => new("Abs", Activation.Abs);

    public static ActivationLayer Identity() => new("Identity", Activation.Identity);

    public static ActivationLayer Erf() => new("Erf", Activation.Erf);

    public static ActivationLayer Gelu() => new("Gelu", Activation.Gelu);

    public static ActivationLayer Tanh() => new("Tanh", Activation.Tanh);

    public static ActivationLayer Softplus() => new("Softplus", Activation.Softplus);

    public static ActivationLayer Sigmoid() => new("Sigmoid", Activation.Sigmoid);

    public static ActivationLayer Swish() => new("Swish", Activation.Swish);

    /// <summary>A user's activation φ (and φ' for the NTK), integrated by quadrature on the CPU.</summary>
    public static ActivationLayer Custom(string name, Func<double, double> value, Func<double, double>? derivative = null) =>
        new(name, new Activation(ActivationKind.Custom), value, derivative);

    /// <summary>
    /// The paper's "GP-depth-σw²-σb²": Dense, then <paramref name="depth"/> × (activation, Dense),
    /// every dense layer with the same variances. Depth 0 is Bayesian linear regression.
    /// </summary>
    public static Network FullyConnected(int depth, ActivationLayer activation, double weightVariance, double biasVariance)
    {
        if (depth < 0)
        {
            throw new NngpInputException($"depth must be ≥ 0, got {depth}");
        }

        var dense = Dense(weightVariance, biasVariance);
        return Serial(dense).Then(Serial(activation, dense).Repeat(depth).Layers.ToArray());
    }

    /// <summary>The activation names the command line accepts.</summary>
    public static IReadOnlyList<string> ActivationNames { get; } =
        ["relu", "leaky-relu", "abs", "identity", "erf", "gelu", "tanh", "softplus", "sigmoid", "swish"];

    /// <summary>An activation by its command-line name; "leaky-relu" takes <paramref name="slope"/>.</summary>
    public static ActivationLayer ActivationByName(string name, double slope = 0.01) =>
        name.ToLowerInvariant() switch
        {
            "relu" => Relu(),
            "leaky-relu" or "leakyrelu" => LeakyRelu(slope),
            "abs" => Abs(),
            "identity" or "linear" => Identity(),
            "erf" => Erf(),
            "gelu" => Gelu(),
            "tanh" => Tanh(),
            "softplus" => Softplus(),
            "sigmoid" => Sigmoid(),
            "swish" or "silu" => Swish(),
            _ => throw new NngpInputException($"unknown activation '{name}' (known: {string.Join(", ", ActivationNames)})"),
        };
}
