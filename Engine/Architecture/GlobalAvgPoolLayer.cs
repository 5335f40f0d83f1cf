namespace GpuNngp;

/// <summary>
/// The readout that averages over every pixel: an image becomes a flat vector of its channel means,
/// and the kernel the mean of K̃ over all pixel pairs (docs/mathematics.md §7). Follow it with a Dense layer.
/// </summary>
public sealed record GlobalAvgPoolLayer : ILayer
{
    /// <summary>"GlobalAvgPool".</summary>
    public override string ToString() => "GlobalAvgPool";
}
