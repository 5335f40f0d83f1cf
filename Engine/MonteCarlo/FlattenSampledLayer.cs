using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// Flatten of a sampled network: a point's C × P values, already contiguous pixel by pixel, read as
/// one vector of P·C features (the layout of <see cref="TensorShape"/>), so it moves nothing, forward
/// or backward.
/// </summary>
internal sealed class FlattenSampledLayer(TensorShape input) : SampledLayer(input, new TensorShape(checked((int)input.PerPoint), null))
{
    public override long Doubles(int points, bool ntk) => 0;

    public override void Allocate(SampledOperations operations, int points, bool ntk)
    {
    }

    public override ProviderBuffer Forward(ProviderBuffer input, CancellationToken cancellationToken) => input;

    public override ProviderBuffer? Backward(ProviderBuffer outputGradient, GradientContraction contraction, CancellationToken cancellationToken) =>
        NeedsInputGradient ? outputGradient : null;

    protected override void Dispose(bool disposing)
    {
    }
}
