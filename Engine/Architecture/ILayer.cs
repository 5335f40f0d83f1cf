namespace GpuNngp;

/// <summary>
/// One layer of an infinitely wide network: dense, a pointwise activation, a convolution, a pooling,
/// a readout (Flatten, GlobalAvgPool) or a residual block. Made by the builders of <see cref="Nngp"/>;
/// the engine understands only this library's layer types, and refuses a network holding another
/// implementation with an <see cref="NngpInputException"/>.
/// </summary>
public interface ILayer
{
}
