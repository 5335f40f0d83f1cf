using System.Collections.Immutable;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// Finite networks of one architecture, drawn one at a time in the NTK parameterisation
/// (docs/mathematics.md §9) with <see cref="Width"/> units in every Dense layer and channels in every
/// Conv: Dense, Conv (any filter, stride and padding), activations, AvgPool, GlobalAvgPool, Flatten
/// and residual blocks, each a <see cref="SampledLayer"/>. The N points travel together as one
/// channels × (pixel, point) tensor per layer, so every forward and backward step is a gemm of the
/// provider or one elementwise operation (<see cref="SampledOperations"/>). The draw's NNGP is the
/// readout's Gram matrix over its units, its NTK the backpropagated gradient inner products of the
/// readout's first unit.
/// </summary>
internal sealed class SampledNetwork : IDisposable
{
    private readonly SampledLayer[] _layers;
    private readonly SampledOperations _operations;
    private readonly int _points;
    private readonly ProviderBuffer _input, _seed;
    private readonly GradientContraction? _contraction;
    private ProviderBuffer? _output;

    private SampledNetwork(SampledLayer[] layers, SampledOperations operations, int points, double[] inputs, bool ntk)
    {
        _layers = layers;
        _operations = operations;
        _points = points;
        IComputeProvider provider = operations.Provider;
        foreach (SampledLayer layer in layers)
        {
            layer.Allocate(operations, points, ntk);
        }

        _input = provider.Upload(inputs, "Monte Carlo inputs");

        // ∂f₀/∂(readout) = e₀ for every point: the seed of the backward pass.
        int width = layers[^1].Output.Channels;
        var seed = new double[(long)width * (ntk ? points : 1)];
        for (int p = 0; ntk && p < points; p++)
        {
            seed[(long)p * width] = 1;
        }

        _seed = provider.Upload(seed, "Monte Carlo readout gradient");
        Sum = provider.Allocate((long)points * points, "the Monte Carlo kernel sum");
        provider.CopyIn(Sum, new double[(long)points * points]);
        if (ntk)
        {
            _contraction = new GradientContraction(operations, Sum, points, MaxPixels(layers), ContractionRows(layers));
        }
    }

    /// <summary>The N × N sum of the draws' kernels so far.</summary>
    public ProviderBuffer Sum { get; }

    /// <summary>The readout's units (the width).</summary>
    public int Width => _layers[^1].Output.Channels;

    /// <summary>
    /// The sampler of <paramref name="network"/> at <paramref name="width"/> for <paramref name="points"/>
    /// points given as Xᵀ (features × N), or the one-line refusal of what cannot be sampled or does not
    /// fit in <paramref name="availableBytes"/>.
    /// </summary>
    public static SampledNetwork Create(
        Network network, int features, int width, int points, double[] inputs, SampledOperations operations, bool ntk, long? availableBytes)
    {
        TensorShape input = InputShape(network, features);
        SampledLayer[] layers = Build(network.Layers, input, width, first: true, "layer ", out _);
        try
        {
            long doubles = layers.Sum(l => l.Doubles(points, ntk)) + (long)features * points + 2L * points * points
                + (ntk ? GradientContraction.Doubles(points, MaxPixels(layers), ContractionRows(layers)) : 0);
            long bytes = sizeof(double) * doubles;
            if (availableBytes is { } available && bytes > available)
            {
                throw new NngpInputException(
                    $"a Monte Carlo kernel of width {width:N0} on {points:N0} points needs {bytes / 1e9:F1} GB; {available / 1e9:F1} GB is available (a smaller width or fewer points)",
                    "width");
            }

            CheckActivations(layers, operations, ntk);
            return new SampledNetwork(layers, operations, points, inputs, ntk);
        }
        catch
        {
            foreach (SampledLayer layer in layers)
            {
                layer.Dispose();
            }

            throw;
        }
    }

    /// <summary>Draws a network with <paramref name="random"/> (every layer's weights then biases, in order) and runs the points through it.</summary>
    public void Draw(Random random, CancellationToken cancellationToken)
    {
        foreach (SampledLayer layer in _layers)
        {
            layer.Draw(random);
        }

        Forward(cancellationToken);
    }

    /// <summary>The weighted layers' drawn weights and biases on the host, in the order they are drawn (the tests perturb them and run <see cref="Forward"/>).</summary>
    internal IReadOnlyList<double[]> Parameters => [.. All(_layers).OfType<WeightedSampledLayer>().SelectMany(layer => new[] { layer.Weights, layer.Bias })];

    /// <summary>The readout's W × N outputs of the last forward pass, on the host.</summary>
    internal double[] Outputs()
    {
        var values = new double[(long)Width * _points];
        _operations.Provider.CopyOut(_output!, 0, values);
        return values;
    }

    /// <summary>Runs the points through the network with its current parameters.</summary>
    internal void Forward(CancellationToken cancellationToken)
    {
        ProviderBuffer values = _input;
        foreach (SampledLayer layer in _layers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            values = layer.Forward(values, cancellationToken);
        }

        _output = values;
    }

    /// <summary>Sum += (1/W)·Fᵀ·F, F the W × N readout of the last draw: the mean over the readout units of f_k(x)·f_k(x′).</summary>
    public void AddNngp(CancellationToken cancellationToken) =>
        _operations.Provider.Multiply(true, false, _points, _points, Width, 1.0 / Width, _output!, _output!, 1, Sum, cancellationToken);

    /// <summary>Sum += J·Jᵀ of the last draw's first readout unit, by backpropagation through every layer.</summary>
    public void AddNtk(CancellationToken cancellationToken)
    {
        ProviderBuffer? gradient = _seed;
        for (int l = _layers.Length - 1; l >= 0 && gradient is not null; l--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            gradient = _layers[l].Backward(gradient, _contraction!, cancellationToken);
        }
    }

    public void Dispose()
    {
        foreach (SampledLayer layer in _layers)
        {
            layer.Dispose();
        }

        _contraction?.Dispose();
        _input.Dispose();
        _seed.Dispose();
        Sum.Dispose();
    }

    private static TensorShape InputShape(Network network, int features)
    {
        if (!network.HasSpatialLayers)
        {
            network.Validate(); // Dense, (φ, Dense) × L, every variance finite and ≥ 0
            return new TensorShape(features, null);
        }

        ImageShape image = network.InputShape ?? throw new NngpInputException(
            "a convolutional network needs the shape of its images: Network.OnImages(height, width, channels)", "network");
        image.CheckFeatures(features, "inputs");
        network.ValidateFor(image.Height, image.Width, image.Channels);
        return new TensorShape(image.Channels, image.Pixels);
    }

    /// <summary>The sampled layers of <paramref name="layers"/> from <paramref name="input"/> on; <paramref name="first"/>: the very first layer (no input gradient).</summary>
    private static SampledLayer[] Build(ImmutableArray<ILayer> layers, TensorShape input, int width, bool first, string prefix, out TensorShape output)
    {
        var result = new List<SampledLayer>(layers.Length);
        TensorShape shape = input;
        for (int i = 0; i < layers.Length; i++)
        {
            bool needsInput = !(first && i == 0);
            string name = $"{prefix}{i + 1} ({layers[i]})";
            SampledLayer layer = layers[i] switch
            {
                DenseLayer dense => new WeightedSampledLayer(shape, new TensorShape(width, null), null, 1, dense.WeightVariance, dense.BiasVariance) { NeedsInputGradient = needsInput },
                ConvLayer conv => Conv(conv, shape, width, needsInput, name),
                ActivationLayer activation => new ActivationSampledLayer(shape, new UnitActivation(activation)) { NeedsInputGradient = needsInput },
                AvgPoolLayer pool => Pool(pool, shape, needsInput, name),
                GlobalAvgPoolLayer => GlobalPool(shape, needsInput),
                FlattenLayer => new FlattenSampledLayer(shape) { NeedsInputGradient = needsInput },
                ResidualLayer residual => Residual(residual, shape, width, needsInput, name),
                _ => throw new NngpInputException($"{name}: Monte Carlo kernels cannot sample this layer"),
            };
            result.Add(layer);
            shape = layer.Output;
        }

        output = shape;
        return [.. result];
    }

    private static WeightedSampledLayer Conv(ConvLayer conv, TensorShape shape, int width, bool needsInput, string name)
    {
        var window = new SpatialWindow(shape.Image!.Value, conv.FilterHeight, conv.FilterWidth, conv.StrideHeight, conv.StrideWidth, Spatial(conv.Padding), name);
        bool pointwise = conv.FilterHeight == 1 && conv.FilterWidth == 1 && conv.StrideHeight == 1 && conv.StrideWidth == 1;
        return new WeightedSampledLayer(
            shape, new TensorShape(width, window.Output), pointwise ? null : o => SampledWindow.Of(o, window), window.Offsets, conv.WeightVariance, conv.BiasVariance)
        {
            NeedsInputGradient = needsInput,
        };
    }

    private static PoolSampledLayer Pool(AvgPoolLayer pool, TensorShape shape, bool needsInput, string name)
    {
        var window = new SpatialWindow(shape.Image!.Value, pool.WindowHeight, pool.WindowWidth, pool.StrideHeight, pool.StrideWidth, Spatial(pool.Padding), name);
        return new PoolSampledLayer(shape, new TensorShape(shape.Channels, window.Output), o => SampledWindow.Of(o, window)) { NeedsInputGradient = needsInput };
    }

    private static PoolSampledLayer GlobalPool(TensorShape shape, bool needsInput)
    {
        int pixels = shape.Pixels;
        return new PoolSampledLayer(shape, new TensorShape(shape.Channels, null), o => SampledWindow.Global(o, pixels)) { NeedsInputGradient = needsInput };
    }

    /// <summary>
    /// The branches from the block's input; at finite width their outputs must agree in channels too
    /// (a skip connection around a layer that changes the channel count, e.g. the first Conv after
    /// images of 3 channels, cannot be summed).
    /// </summary>
    private static ResidualSampledLayer Residual(ResidualLayer residual, TensorShape shape, int width, bool needsInput, string name)
    {
        var branches = new SampledLayer[residual.Branches.Length][];
        TensorShape? output = null;
        for (int b = 0; b < branches.Length; b++)
        {
            branches[b] = Build(residual.Branches[b].Layers, shape, width, first: !needsInput, $"{name}, branch {b + 1}, layer ", out TensorShape branchOutput);
            if (output is { } expected && expected != branchOutput)
            {
                throw new NngpInputException(
                    $"{name}: at width {width} branch {b + 1} gives {branchOutput} but branch 1 gives {expected}; a finite network sums branches of one shape (make the channels agree before the block)",
                    "network");
            }

            output ??= branchOutput;
        }

        return new ResidualSampledLayer(shape, output!.Value, branches) { NeedsInputGradient = needsInput };
    }

    private static SpatialPadding Spatial(Padding padding) => padding switch
    {
        Padding.Same => SpatialPadding.Same,
        Padding.Valid => SpatialPadding.Valid,
        _ => SpatialPadding.Circular,
    };

    private static IEnumerable<SampledLayer> All(IEnumerable<SampledLayer> layers) =>
        layers.SelectMany(layer => layer is ResidualSampledLayer residual ? All(residual.Branches.SelectMany(b => b)).Prepend(layer) : [layer]);

    private static int MaxPixels(SampledLayer[] layers) =>
        All(layers).OfType<WeightedSampledLayer>().Select(l => l.Output.Pixels).DefaultIfEmpty(1).Max();

    private static (long Gradient, long Input) ContractionRows(SampledLayer[] layers) =>
        All(layers).Select(l => l.ContractionRows).Aggregate((0L, 0L), (a, b) => (Math.Max(a.Item1, b.Item1), Math.Max(a.Item2, b.Item2)));

    /// <summary>The NTK needs φ′ of every activation; a custom activation runs only where host code does.</summary>
    private static void CheckActivations(SampledLayer[] layers, SampledOperations operations, bool ntk)
    {
        foreach (var activation in All(layers).OfType<ActivationSampledLayer>().Select(l => l.Activation))
        {
            if (ntk && !activation.HasDerivative)
            {
                throw new NngpInputException($"the Monte Carlo NTK needs φ' of the custom activation '{activation.Name}' (Nngp.Custom's derivative)");
            }

            if (activation.IsCustom && !operations.RunsCustomActivations)
            {
                throw new NngpInputException($"the custom activation '{activation.Name}' is a managed delegate: its Monte Carlo kernel runs on the CPU only (DeviceKind.Cpu)");
            }
        }
    }
}
