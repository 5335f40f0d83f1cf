using GpuNngp.Kernels;

namespace GpuNngp;

/// <summary>The building blocks of an architecture, in the style of Neural Tangents' stax.</summary>
public static class Nngp
{
    public static Network Serial(params ILayer[] layers) => new(Network.CheckLayers(layers, "Nngp.Serial"));

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
    public static ActivationLayer Custom(string name, Func<double, double> value, Func<double, double>? derivative = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        return new(name, new Activation(ActivationKind.Custom), value, derivative);
    }

    /// <summary>
    /// The paper's "GP-depth-σw²-σb²": Dense, then <paramref name="depth"/> × (activation, Dense),
    /// every dense layer with the same variances. Depth 0 is Bayesian linear regression.
    /// </summary>
    public static Network FullyConnected(int depth, ActivationLayer activation, double weightVariance, double biasVariance)
    {
        ArgumentNullException.ThrowIfNull(activation);
        if (depth < 0)
        {
            throw new NngpInputException($"depth must be ≥ 0, got {depth}");
        }

        var dense = Dense(weightVariance, biasVariance);
        return Serial(dense).Then(Serial(activation, dense).Repeat(depth).Layers.ToArray());
    }

    /// <summary>A convolution (DESIGN.md §7); the filter is <paramref name="filterHeight"/> × <paramref name="filterWidth"/>.</summary>
    public static ConvLayer Conv(int filterHeight, int filterWidth, double weightVariance, double biasVariance, Padding padding = Padding.Same, int strideHeight = 1, int strideWidth = 1) =>
        new(filterHeight, filterWidth, weightVariance, biasVariance, padding, strideHeight, strideWidth);

    /// <summary>Average pooling; the strides default to the window (non-overlapping blocks), the padding to valid.</summary>
    public static AvgPoolLayer AvgPool(int windowHeight, int windowWidth, Padding padding = Padding.Valid, int? strideHeight = null, int? strideWidth = null) =>
        new(windowHeight, windowWidth, padding, strideHeight, strideWidth);

    /// <summary>The readout averaging over all pixels; follow it with a Dense layer.</summary>
    public static GlobalAvgPoolLayer GlobalAvgPool() => new();

    /// <summary>The readout keeping every pixel; follow it with a Dense layer.</summary>
    public static FlattenLayer Flatten() => new();

    /// <summary>A residual block: the branches' K and Θ summed; <see cref="IdentityBranch"/> is the skip connection.</summary>
    public static ResidualLayer Residual(params Network[] branches) => new(branches);

    /// <summary>The identity branch of a residual block (a branch without layers).</summary>
    public static Network IdentityBranch { get; } = Serial();

    /// <summary>Myrtle-5 (Shankar et al. 2020): 4 convolutions and a dense readout; see <see cref="Myrtle"/>.</summary>
    public static Network Myrtle5(double weightVariance = 2, double biasVariance = 0) => Myrtle(2, 1, 1, weightVariance, biasVariance);

    /// <summary>Myrtle-7 (Shankar et al. 2020): 6 convolutions and a dense readout; see <see cref="Myrtle"/>.</summary>
    public static Network Myrtle7(double weightVariance = 2, double biasVariance = 0) => Myrtle(2, 2, 2, weightVariance, biasVariance);

    /// <summary>Myrtle-10 (Shankar et al. 2020): 9 convolutions and a dense readout; see <see cref="Myrtle"/>.</summary>
    public static Network Myrtle10(double weightVariance = 2, double biasVariance = 0) => Myrtle(3, 3, 3, weightVariance, biasVariance);

    /// <summary>
    /// The Myrtle family as Neural Tangents defines it for the paper's kernels (its Myrtle tests'
    /// <c>layer_factor = {5: [2, 1, 1], 7: [2, 2, 2], 10: [3, 3, 3]}</c>, W_std = √2, b_std = 0):
    /// [Conv 3×3 same, Relu] × n₁, AvgPool 2×2, [Conv, Relu] × n₂, AvgPool 2×2, [Conv, Relu] × n₃,
    /// AvgPool 2×2 three times, Flatten, Dense. Made for 32×32 images (32 → 16 → 8 → 4 → 2 → 1).
    /// </summary>
    private static Network Myrtle(int first, int second, int third, double weightVariance, double biasVariance)
    {
        Network block = Serial(Conv(3, 3, weightVariance, biasVariance), Relu());
        AvgPoolLayer pool = AvgPool(2, 2);
        return block.Repeat(first).Then(pool)
            .Then([.. block.Repeat(second).Layers]).Then(pool)
            .Then([.. block.Repeat(third).Layers]).Then(pool, pool, pool)
            .Then(Flatten(), Dense(weightVariance, biasVariance));
    }

    /// <summary>The activation names the command line accepts.</summary>
    public static IReadOnlyList<string> ActivationNames { get; } =
        ["relu", "leaky-relu", "abs", "identity", "erf", "gelu", "tanh", "softplus", "sigmoid", "swish"];

    /// <summary>An activation by its command-line name; "leaky-relu" takes <paramref name="slope"/>.</summary>
    public static ActivationLayer ActivationByName(string name, double slope = 0.01) =>
        (name ?? throw new ArgumentNullException(nameof(name), "the activation's name is null")).ToLowerInvariant() switch
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
