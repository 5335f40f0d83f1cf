namespace GpuNngp;

/// <summary>
/// The readout that keeps every pixel: an image becomes one flat vector, and the kernel after the
/// next Dense layer the mean of the diagonal K̃_ii (docs/mathematics.md §7). Follow it with a Dense layer.
/// </summary>
public sealed record FlattenLayer : ILayer
{
    /// <summary>"Flatten".</summary>
    public override string ToString() => "Flatten";
}
