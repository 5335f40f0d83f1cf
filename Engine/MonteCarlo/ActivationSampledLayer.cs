using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>An activation of a sampled network: a = φ(z) unit by unit, φ′(z) kept for the backward step ∂f/∂z = φ′(z) ⊙ ∂f/∂a.</summary>
internal sealed class ActivationSampledLayer(TensorShape shape, UnitActivation activation) : SampledLayer(shape, shape)
{
    public UnitActivation Activation => activation;

    private SampledOperations? _operations;
    private ProviderBuffer? _output, _derivative, _inputGradient;

    public override long Doubles(int points, bool ntk) => Input.PerPoint * points * (ntk ? (NeedsInputGradient ? 3 : 2) : 1);

    public override void Allocate(SampledOperations operations, int points, bool ntk)
    {
        _operations = operations;
        long count = Input.PerPoint * points;
        _output = operations.Provider.Allocate(count, "Monte Carlo activations");
        if (ntk)
        {
            _derivative = operations.Provider.Allocate(count, "Monte Carlo activation slopes");
            _inputGradient = NeedsInputGradient ? operations.Provider.Allocate(count, "Monte Carlo gradients") : null;
        }
    }

    public override ProviderBuffer Forward(ProviderBuffer input, CancellationToken cancellationToken)
    {
        _operations!.Activate(input, _output!, _derivative, activation);
        return _output!;
    }

    public override ProviderBuffer? Backward(ProviderBuffer outputGradient, GradientContraction contraction, CancellationToken cancellationToken)
    {
        if (!NeedsInputGradient)
        {
            return null;
        }

        _operations!.Product(_inputGradient!, _derivative!, outputGradient);
        return _inputGradient;
    }

    protected override void Dispose(bool disposing) => Free(_output, _derivative, _inputGradient);
}
