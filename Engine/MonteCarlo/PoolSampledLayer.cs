using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// AvgPool or GlobalAvgPool of a sampled network: each channel's mean over a window (the padding's
/// zeros counted, as the analytic kernel does), GlobalAvgPool's window the whole image; no
/// parameters, so backward only spreads ∂f/∂(output)/|window| back over the window.
/// </summary>
internal sealed class PoolSampledLayer(TensorShape input, TensorShape output, Func<SampledOperations, SampledWindow> window) : SampledLayer(input, output)
{
    private SampledOperations? _operations;
    private SampledWindow? _window;
    private ProviderBuffer? _output, _inputGradient;
    private int _points;

    public override long Doubles(int points, bool ntk) => Output.PerPoint * points + (ntk && NeedsInputGradient ? Input.PerPoint * points : 0);

    public override void Allocate(SampledOperations operations, int points, bool ntk)
    {
        _operations = operations;
        _points = points;
        _window = window(operations);
        _output = operations.Provider.Allocate(Output.PerPoint * points, "Monte Carlo pooled activations");
        _inputGradient = ntk && NeedsInputGradient ? operations.Provider.Allocate(Input.PerPoint * points, "Monte Carlo gradients") : null;
    }

    public override ProviderBuffer Forward(ProviderBuffer input, CancellationToken cancellationToken)
    {
        _operations!.WindowGather(input, _output!, _window!, Input.Channels, _points, 1.0 / _window!.Offsets, patches: false);
        return _output!;
    }

    public override ProviderBuffer? Backward(ProviderBuffer outputGradient, GradientContraction contraction, CancellationToken cancellationToken)
    {
        if (!NeedsInputGradient)
        {
            return null;
        }

        _operations!.WindowScatter(outputGradient, _inputGradient!, _window!, Input.Channels, _points, 1.0 / _window!.Offsets, patches: false);
        return _inputGradient;
    }

    protected override void Dispose(bool disposing) => Free(_output, _inputGradient, _window);
}
