
namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// Where a fit's kernel entries come from, on its provider: the training kernel K_DD (or Θ) and the
/// cross kernels of the test tiles, with the per-point prior diagonals the pipeline writes onto K_DD
/// and subtracts in the variances. The fit, the jitter loop and the prediction around it do not
/// change with the network; a layer family with its own way of making entries is one new source
/// (<see cref="KernelSources"/>).
/// </summary>
internal interface IKernelSource : IDisposable
{
    /// <summary>The training points' prior diagonal, K(x, x) or Θ(x, x); known after the first <see cref="BuildTrain"/>.</summary>
    double[] TrainDiagonal { get; }

    /// <summary>
    /// The training kernel into the lower triangle of the n×n <paramref name="target"/> (its diagonal is
    /// overwritten later), its loops on <paramref name="parallelism"/> (thread cap, cancellation token).
    /// </summary>
    void BuildTrain(ProviderBuffer target, StageTimings timings, IProgress<StageProgress>? progress, ParallelOptions parallelism);

    /// <summary>
    /// K(D, tile) (n × <paramref name="count"/>) into <paramref name="cross"/>, for test points
    /// [<paramref name="start"/>, start + count) whose column-major inputs are <paramref name="tileInputs"/>
    /// (on the provider: <paramref name="testInputs"/>); <paramref name="cachedGram"/> is their cached
    /// input Gram against the training set, when there is one. Returns the tile's prior diagonal.
    /// </summary>
    double[] BuildCross(ProviderBuffer cross, ProviderBuffer testInputs, double[] tileInputs, int start, int count, ProviderBuffer? cachedGram, ParallelOptions parallelism);

    /// <summary>
    /// What the test tiles read of the training side that X alone does not give back bit for bit
    /// (the fused map's q⁰, the diagonal of the computed input Gram); empty where X suffices. Saved
    /// with a posterior and handed back to <see cref="PrepareCross"/> when it is loaded.
    /// </summary>
    double[] CrossState { get; }

    /// <summary>Makes the test tiles ready without building the training kernel (a loaded posterior), from a saved <see cref="CrossState"/>.</summary>
    void PrepareCross(double[] crossState);
}
