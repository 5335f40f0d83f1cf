namespace GpuNngp;

/// <summary>
/// One layer of an infinitely wide network: dense, a pointwise activation, a convolution, a pooling,
/// a readout (Flatten, GlobalAvgPool) or a residual block.
/// </summary>
public interface ILayer
{
}
