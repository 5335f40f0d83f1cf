using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// A residual block of a sampled network: every branch reads the block's input and the outputs are
/// summed (an empty branch is the identity); backward, each branch takes ∂f/∂(output) back through
/// its layers (adding its weights' share to the kernel) and the block's input gradient is the sum
/// of the branches'.
/// </summary>
internal sealed class ResidualSampledLayer(TensorShape input, TensorShape output, SampledLayer[][] branches) : SampledLayer(input, output)
{
    private SampledOperations? _operations;
    private ProviderBuffer? _output, _inputGradient;

    public SampledLayer[][] Branches { get; } = branches;

    public override long Doubles(int points, bool ntk) =>
        Output.PerPoint * points + (ntk && NeedsInputGradient ? Input.PerPoint * points : 0) + Branches.Sum(b => b.Sum(layer => layer.Doubles(points, ntk)));

    public override void Allocate(SampledOperations operations, int points, bool ntk)
    {
        _operations = operations;
        _output = operations.Provider.Allocate(Output.PerPoint * points, "Monte Carlo residual sums");
        _inputGradient = ntk && NeedsInputGradient ? operations.Provider.Allocate(Input.PerPoint * points, "Monte Carlo gradients") : null;
        foreach (SampledLayer layer in Branches.SelectMany(b => b))
        {
            layer.Allocate(operations, points, ntk);
        }
    }

    public override void Draw(Random random)
    {
        foreach (SampledLayer layer in Branches.SelectMany(b => b))
        {
            layer.Draw(random);
        }
    }

    public override ProviderBuffer Forward(ProviderBuffer input, CancellationToken cancellationToken)
    {
        IComputeProvider provider = _operations!.Provider;
        for (int b = 0; b < Branches.Length; b++)
        {
            ProviderBuffer branchOutput = input;
            foreach (SampledLayer layer in Branches[b])
            {
                cancellationToken.ThrowIfCancellationRequested();
                branchOutput = layer.Forward(branchOutput, cancellationToken);
            }

            if (b == 0)
            {
                provider.Copy(branchOutput, 0, _output!, 0, _output!.Length);
            }
            else
            {
                _operations.Accumulate(_output!, branchOutput);
            }
        }

        return _output!;
    }

    public override ProviderBuffer? Backward(ProviderBuffer outputGradient, GradientContraction contraction, CancellationToken cancellationToken)
    {
        IComputeProvider provider = _operations!.Provider;
        for (int b = 0; b < Branches.Length; b++)
        {
            ProviderBuffer? gradient = outputGradient;
            for (int l = Branches[b].Length - 1; l >= 0 && gradient is not null; l--)
            {
                cancellationToken.ThrowIfCancellationRequested();
                gradient = Branches[b][l].Backward(gradient, contraction, cancellationToken);
            }

            if (!NeedsInputGradient)
            {
                continue;
            }

            if (b == 0)
            {
                provider.Copy(gradient!, 0, _inputGradient!, 0, _inputGradient!.Length);
            }
            else
            {
                _operations.Accumulate(_inputGradient!, gradient!);
            }
        }

        return NeedsInputGradient ? _inputGradient : null;
    }

    protected override void Dispose(bool disposing)
    {
        Free(_output, _inputGradient);
        foreach (SampledLayer layer in Branches.SelectMany(b => b))
        {
            layer.Dispose();
        }
    }
}
