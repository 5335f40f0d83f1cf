using GpuNngp.Kernels;

namespace GpuNngp;

/// <summary>
/// The building blocks of an architecture, in the style of Neural Tangents' <c>stax</c>: layers
/// (<see cref="Dense"/>, the activations, <see cref="Conv"/>, pooling, readouts, <see cref="Residual"/>)
/// combined by <see cref="Serial"/> and <see cref="Network.Repeat"/>, e.g.
/// <c>Nngp.Serial(Nngp.Dense(1.45, 0.28), Nngp.Relu()).Repeat(20).Then(Nngp.Dense(1.45, 0.28))</c>.
/// Every layer has infinite width; a network describes a kernel, not weights to train.
/// </summary>
public static class Nngp
{
    /// <summary>The layers one after another, in the order the data flows through them.</summary>
    /// <param name="layers">The layers; none gives the empty network (the identity branch of a residual block).</param>
    /// <returns>A network of those layers; its shape is checked when it is used (<see cref="Network.Validate"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="layers"/> or one of its layers is null (the message names its position).</exception>
    public static Network Serial(params ILayer[] layers) => new(Network.CheckLayers(layers, "Nngp.Serial"));

    /// <summary>
    /// A fully connected layer of infinite width: weights ~ N(0, σw²/n_in), biases ~ N(0, σb²), so it
    /// maps the kernel to σb² + σw²·K (the first one's K is the input covariance x·x'/d).
    /// </summary>
    /// <param name="weightVariance">σw², finite and ≥ 0 (the paper's grid: 0.1 to 5).</param>
    /// <param name="biasVariance">σb², finite and ≥ 0 (the paper's grid: 0 to 2).</param>
    /// <returns>The layer. Its variances are checked when the network is (an <see cref="NngpInputException"/> naming the layer).</returns>
    public static DenseLayer Dense(double weightVariance, double biasVariance) => new(weightVariance, biasVariance);

    /// <summary>φ(x) = max(x, 0), by its closed form (the arc-cosine kernel of Cho and Saul), on the CPU and the GPU.</summary>
    public static ActivationLayer Relu() => new("Relu", Activation.Relu);

    /// <summary>φ(x) = x for x ≥ 0, α·x below, by the closed form of the ReLU family.</summary>
    /// <param name="alpha">The slope α for negative inputs (0.01 is usual; 0 is <see cref="Relu"/>, −1 is <see cref="Abs"/>).</param>
    public static ActivationLayer LeakyRelu(double alpha) => new(FormattableString.Invariant($"LeakyRelu({alpha:G6})"), Activation.LeakyRelu(alpha));

    /// <summary>φ(x) = a·min(x, 0) + b·max(x, 0), the ReLU family's general member, by its closed form.</summary>
    /// <param name="negativeSlope">a, the slope for negative inputs.</param>
    /// <param name="positiveSlope">b, the slope for positive inputs.</param>
    public static ActivationLayer AbRelu(double negativeSlope, double positiveSlope) =>
        new(FormattableString.Invariant($"AbRelu({negativeSlope:G6}, {positiveSlope:G6})"), new Activation(ActivationKind.AbRelu, negativeSlope, positiveSlope));

    /// <summary>φ(x) = |x|, by the closed form of the ReLU family (a = −1, b = 1).</summary>
    public static ActivationLayer Abs() => new("Abs", Activation.Abs);

    /// <summary>φ(x) = x: a linear network (F = k12, Ḟ = 1).</summary>
    public static ActivationLayer Identity() => new("Identity", Activation.Identity);

    /// <summary>φ(x) = erf(x), by its closed form (an arcsine kernel).</summary>
    public static ActivationLayer Erf() => new("Erf", Activation.Erf);

    /// <summary>φ(x) = x·Φ(x), Φ the standard normal CDF, by its closed form.</summary>
    public static ActivationLayer Gelu() => new("Gelu", Activation.Gelu);

    /// <summary>
    /// φ(x) = tanh(x). No closed form: 2-D quadrature per entry, or a lookup table where the inputs
    /// share one norm (<see cref="LookupTableMode"/>).
    /// </summary>
    public static ActivationLayer Tanh() => new("Tanh", Activation.Tanh);

    /// <summary>φ(x) = log(1 + eˣ), by quadrature (or a lookup table, as for <see cref="Tanh"/>).</summary>
    public static ActivationLayer Softplus() => new("Softplus", Activation.Softplus);

    /// <summary>φ(x) = 1 / (1 + e⁻ˣ), by quadrature (or a lookup table, as for <see cref="Tanh"/>).</summary>
    public static ActivationLayer Sigmoid() => new("Sigmoid", Activation.Sigmoid);

    /// <summary>φ(x) = x / (1 + e⁻ˣ) (SiLU), by quadrature (or a lookup table, as for <see cref="Tanh"/>).</summary>
    public static ActivationLayer Swish() => new("Swish", Activation.Swish);

    /// <summary>
    /// A user's activation φ (and φ' for the NTK), integrated by 2-D quadrature on the CPU only: an
    /// engine on a GPU refuses a network with one (an <see cref="NngpInputException"/>). The
    /// delegates are called from several threads at once and must be pure.
    /// </summary>
    /// <param name="name">The name the network's description shows.</param>
    /// <param name="value">φ; it must return finite values (a NaN or ∞ fails the kernel with a <see cref="NonFiniteResultException"/>).</param>
    /// <param name="derivative">φ', needed only for <see cref="KernelKind.Ntk"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or blank.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
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
    /// <param name="depth">L, the number of hidden layers (activations), ≥ 0.</param>
    /// <param name="activation">φ, the same after every hidden dense layer.</param>
    /// <param name="weightVariance">σw² of every dense layer.</param>
    /// <param name="biasVariance">σb² of every dense layer.</param>
    /// <returns>Dense, then <paramref name="depth"/> × (φ, Dense): L + 1 dense layers.</returns>
    /// <exception cref="NngpInputException"><paramref name="depth"/> is negative.</exception>
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

    /// <summary>
    /// A 2-D convolution of infinitely many channels (docs/mathematics.md §7): the
    /// filter is <paramref name="filterHeight"/> × <paramref name="filterWidth"/>, weights
    /// ~ N(0, σw²/fan_in) with fan_in = channels·k_h·k_w, biases ~ N(0, σb²). A network with one takes
    /// images (<see cref="Network.OnImages"/>).
    /// </summary>
    /// <param name="filterHeight">k_h, ≥ 1.</param>
    /// <param name="filterWidth">k_w, ≥ 1.</param>
    /// <param name="weightVariance">σw², finite and ≥ 0.</param>
    /// <param name="biasVariance">σb², finite and ≥ 0.</param>
    /// <param name="padding">How the window treats the border (<see cref="Padding"/>).</param>
    /// <param name="strideHeight">The vertical stride, ≥ 1.</param>
    /// <param name="strideWidth">The horizontal stride, ≥ 1.</param>
    /// <exception cref="NngpInputException">A size below 1, an undefined padding or a variance that is negative or not finite.</exception>
    public static ConvLayer Conv(int filterHeight, int filterWidth, double weightVariance, double biasVariance, Padding padding = Padding.Same, int strideHeight = 1, int strideWidth = 1) =>
        new(filterHeight, filterWidth, weightVariance, biasVariance, padding, strideHeight, strideWidth);

    /// <summary>
    /// Average pooling over windows of <paramref name="windowHeight"/> × <paramref name="windowWidth"/>
    /// pixels: the strides default to the window (non-overlapping blocks), the padding to valid. No
    /// weights: it averages K and Θ alike.
    /// </summary>
    /// <param name="windowHeight">The window's height in pixels, ≥ 1.</param>
    /// <param name="windowWidth">The window's width in pixels, ≥ 1.</param>
    /// <param name="padding">How the window treats the border (<see cref="Padding"/>).</param>
    /// <param name="strideHeight">The vertical stride, ≥ 1; null for the window's height.</param>
    /// <param name="strideWidth">The horizontal stride, ≥ 1; null for the window's width.</param>
    /// <exception cref="NngpInputException">A size below 1 or an undefined padding.</exception>
    public static AvgPoolLayer AvgPool(int windowHeight, int windowWidth, Padding padding = Padding.Valid, int? strideHeight = null, int? strideWidth = null) =>
        new(windowHeight, windowWidth, padding, strideHeight, strideWidth);

    /// <summary>The readout averaging over all pixels; follow it with a Dense layer.</summary>
    public static GlobalAvgPoolLayer GlobalAvgPool() => new();

    /// <summary>The readout keeping every pixel; follow it with a Dense layer.</summary>
    public static FlattenLayer Flatten() => new();

    /// <summary>A residual block: the branches' K and Θ summed; <see cref="IdentityBranch"/> is the skip connection.</summary>
    /// <param name="branches">At least two branches, none null, each giving the same output shape.</param>
    /// <exception cref="ArgumentNullException"><paramref name="branches"/> is null.</exception>
    /// <exception cref="NngpInputException">Fewer than two branches, or a null one.</exception>
    public static ResidualLayer Residual(params Network[] branches) => new(branches);

    /// <summary>The identity branch of a residual block (a branch without layers).</summary>
    public static Network IdentityBranch { get; } = Serial();

    /// <summary>
    /// Myrtle-5 (Shankar et al. 2020) as Neural Tangents defines it: [Conv 3×3 same, ReLU] × 2,
    /// AvgPool 2×2, [Conv, ReLU], AvgPool 2×2, [Conv, ReLU], AvgPool 2×2 three times, Flatten, Dense.
    /// Made for 32×32 images (32 → 16 → 8 → 4 → 2 → 1); give the shape with <see cref="Network.OnImages"/>.
    /// </summary>
    /// <param name="weightVariance">σw² of every convolution and the readout (2: W_std = √2).</param>
    /// <param name="biasVariance">σb² of every convolution and the readout.</param>
    public static Network Myrtle5(double weightVariance = 2, double biasVariance = 0) => Myrtle(2, 1, 1, weightVariance, biasVariance);

    /// <summary>Myrtle-7 (Shankar et al. 2020): as <see cref="Myrtle5"/> with [Conv, ReLU] × 2 in each of the three stages (6 convolutions).</summary>
    /// <param name="weightVariance">σw² of every convolution and the readout.</param>
    /// <param name="biasVariance">σb² of every convolution and the readout.</param>
    public static Network Myrtle7(double weightVariance = 2, double biasVariance = 0) => Myrtle(2, 2, 2, weightVariance, biasVariance);

    /// <summary>Myrtle-10 (Shankar et al. 2020): as <see cref="Myrtle5"/> with [Conv, ReLU] × 3 in each of the three stages (9 convolutions).</summary>
    /// <param name="weightVariance">σw² of every convolution and the readout.</param>
    /// <param name="biasVariance">σb² of every convolution and the readout.</param>
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

    /// <summary>An activation by its command-line name (<see cref="ActivationNames"/>, any case; "leakyrelu", "linear" and "silu" too).</summary>
    /// <param name="name">One of <see cref="ActivationNames"/>.</param>
    /// <param name="slope">The negative slope α of "leaky-relu"; ignored by the others.</param>
    /// <exception cref="NngpInputException">An unknown name; the message lists the known ones.</exception>
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
