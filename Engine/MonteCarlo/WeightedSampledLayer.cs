using GpuNngp.Engine.Pipeline;
using MathNet.Numerics.Distributions;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// A Dense or Conv layer of a sampled network in the NTK parameterisation: z = √(σw²/K)·W·A + σb·b,
/// W (C_out × K) and b (C_out) standard normals, K = C_in·k_h·k_w the fan-in and A the layer input
/// (a Dense layer, or a 1 × 1 convolution at stride 1) or its im2col matrix (K × P_out·N, zeros on
/// padding): a convolution is one gemm. Backward, with g = ∂f/∂z (C_out × P_out·N): the weights'
/// and bias's gradient inner products Σ_{p,q} (gᵀg) ⊙ (σw²/K·AᵀA + σb²) (<see cref="GradientContraction"/>),
/// and ∂f/∂A = √(σw²/K)·Wᵀg, scattered back over the windows (col2im) for a convolution.
/// </summary>
internal sealed class WeightedSampledLayer : SampledLayer
{
    private readonly Func<SampledOperations, SampledWindow>? _window;
    private readonly int _fanIn;
    private readonly double _weightVariance, _biasVariance;
    private SampledOperations? _operations;
    private SampledWindow? _sampledWindow;
    private double[] _hostWeights = [], _hostBias = [];
    private ProviderBuffer? _weights, _bias, _patches, _output, _patchGradient, _inputGradient;
    private ProviderBuffer? _lastInput;
    private int _points;

    /// <param name="input">What the layer reads.</param>
    /// <param name="output">What it writes (C_out channels at the window's output pixels).</param>
    /// <param name="window">The convolution's window; null for a Dense layer or a 1 × 1 convolution at stride 1, which read the input as it is.</param>
    /// <param name="offsets">k_h·k_w (1 for a Dense layer).</param>
    /// <param name="weightVariance">σw².</param>
    /// <param name="biasVariance">σb².</param>
    public WeightedSampledLayer(TensorShape input, TensorShape output, Func<SampledOperations, SampledWindow>? window, int offsets, double weightVariance, double biasVariance)
        : base(input, output)
    {
        _window = window;
        _fanIn = input.Channels * offsets;
        _weightVariance = weightVariance;
        _biasVariance = biasVariance;
    }

    private long Columns(int points) => (long)Output.Pixels * points;

    public override long Doubles(int points, bool ntk)
    {
        long weights = (long)Output.Channels * _fanIn + Output.Channels;
        long patches = _window is null ? 0 : _fanIn * Columns(points);
        long output = Output.Channels * Columns(points);
        long gradients = !ntk || !NeedsInputGradient ? 0 : patches + Input.PerPoint * points;
        return 2 * weights + patches + output + gradients; // the weights twice: drawn on the host, used where the gemms run
    }

    public override (long GradientRows, long InputRows) ContractionRows => (Output.Channels, _fanIn);

    public override void Allocate(SampledOperations operations, int points, bool ntk)
    {
        _operations = operations;
        _points = points;
        IComputeProvider provider = operations.Provider;
        _hostWeights = new double[(long)Output.Channels * _fanIn];
        _hostBias = new double[Output.Channels];
        _weights = provider.Allocate(_hostWeights.LongLength, "Monte Carlo weights");
        _bias = provider.Allocate(_hostBias.Length, "Monte Carlo biases");
        _output = provider.Allocate(Output.Channels * Columns(points), "Monte Carlo pre-activations");
        if (_window is not null)
        {
            _sampledWindow = _window(operations);
            _patches = provider.Allocate(_fanIn * Columns(points), "Monte Carlo im2col patches");
        }

        if (ntk && NeedsInputGradient)
        {
            _patchGradient = _window is null ? null : provider.Allocate(_fanIn * Columns(points), "Monte Carlo patch gradients");
            _inputGradient = provider.Allocate(Input.PerPoint * points, "Monte Carlo gradients");
        }
    }

    /// <summary>The drawn W, column-major C_out × K with k = offset·C_in + c, on the host (the tests perturb it).</summary>
    public double[] Weights => _hostWeights;

    /// <summary>The drawn b, on the host.</summary>
    public double[] Bias => _hostBias;

    /// <summary>W column-major, then b: for a Dense network layer by layer, as the tests' direct networks read them.</summary>
    public override void Draw(Random random)
    {
        FillNormals(_hostWeights, random);
        FillNormals(_hostBias, random);
    }

    private double Scale => Math.Sqrt(_weightVariance / _fanIn);

    public override ProviderBuffer Forward(ProviderBuffer input, CancellationToken cancellationToken)
    {
        SampledOperations operations = _operations!;
        operations.Provider.CopyIn(_weights!, _hostWeights); // drawn on the host, used where the gemms run
        operations.Provider.CopyIn(_bias!, _hostBias);
        ProviderBuffer a = input;
        if (_sampledWindow is not null)
        {
            operations.WindowGather(input, _patches!, _sampledWindow, Input.Channels, _points, 1, patches: true);
            a = _patches!;
        }

        _lastInput = a;
        int columns = checked((int)Columns(_points));
        operations.Provider.Multiply(false, false, Output.Channels, columns, _fanIn, Scale, _weights!, a, 0, _output!, cancellationToken);
        operations.AddBias(_output!, _bias!, Output.Channels, Math.Sqrt(_biasVariance));
        return _output!;
    }

    public override ProviderBuffer? Backward(ProviderBuffer outputGradient, GradientContraction contraction, CancellationToken cancellationToken)
    {
        contraction.Add(outputGradient, Output.Channels, _lastInput!, _fanIn, Output.Pixels, _weightVariance / _fanIn, _biasVariance, cancellationToken);
        if (!NeedsInputGradient)
        {
            return null;
        }

        SampledOperations operations = _operations!;
        int columns = checked((int)Columns(_points));
        if (_sampledWindow is null)
        {
            operations.Provider.Multiply(true, false, _fanIn, columns, Output.Channels, Scale, _weights!, outputGradient, 0, _inputGradient!, cancellationToken);
            return _inputGradient;
        }

        operations.Provider.Multiply(true, false, _fanIn, columns, Output.Channels, Scale, _weights!, outputGradient, 0, _patchGradient!, cancellationToken);
        operations.WindowScatter(_patchGradient!, _inputGradient!, _sampledWindow, Input.Channels, _points, 1, patches: true);
        return _inputGradient;
    }

    protected override void Dispose(bool disposing) => Free(_weights, _bias, _patches, _output, _patchGradient, _inputGradient, _sampledWindow);

    /// <summary>Standard normals in order of the index: the draw is a function of the generator's state alone.</summary>
    private static void FillNormals(double[] target, Random random)
    {
        for (long i = 0; i < target.LongLength; i++)
        {
            target[i] = Normal.Sample(random, 0, 1);
        }
    }
}
