namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// The results of a fit a saved posterior carries besides its request and its factor: α = A⁻¹Y
/// (N×C column-major), the kernel source's state for the test tiles
/// (<see cref="IKernelSource.CrossState"/>), the jitter added and log p(Y).
/// </summary>
internal sealed record SavedFit(double[] Alpha, double[] CrossState, double Jitter, double LogMarginalLikelihood);
