using GpuNngp.Engine.Architecture;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Computation;

/// <summary>
/// One place the engine computes: the CPU or a GPU. Data flows one way through it:
/// inputs → kernel → factorisation → predictions.
/// </summary>
internal interface IBackend : IDisposable
{
    /// <summary>e.g. "CPU, 2 threads, OpenBLAS 0.3.21" or "GPU NVIDIA H100 80GB HBM3 (cuBLAS, cuSOLVER)".</summary>
    string Name { get; }

    /// <summary>The kernel between two sets of inputs (K(X1, X1) when <paramref name="x2"/> is null), to the host.</summary>
    HostMatrix Kernel(CompiledNetwork network, Matrix<double> x1, Matrix<double>? x2, KernelKind kind, IProgress<StageProgress>? progress);

    /// <summary>
    /// Refuses, before any work, a fit of N training points (d features, C outputs, the network's
    /// depth) that cannot fit in the memory this backend computes in: host RAM or device memory.
    /// </summary>
    void CheckFitMemory(int n, int dimension, int outputs, int depth);

    /// <summary>Refuses a rows×columns kernel that cannot fit, with <paramref name="hostCopies"/> copies of it on the host.</summary>
    void CheckKernelMemory(int rows, int columns, int dimension, int depth, int hostCopies);

    /// <summary>Refuses an input-Gram cache (N training, V validation points) that cannot fit.</summary>
    void CheckInputGramMemory(int n, int validation, int dimension);

    /// <summary>Builds and factorises K_DD + σε²I and solves for α.</summary>
    IFittedModel Fit(FitRequest request, IProgress<StageProgress>? progress);

    /// <summary>Computes K⁰_DD (and K⁰_DV) once, where this backend computes, for reuse by many fits.</summary>
    InputGramCache CacheInputGram(Matrix<double> x, Matrix<double>? validation);
}

/// <summary>Everything a fit needs, validated by the engine before any backend sees it.</summary>
internal sealed record FitRequest(
    CompiledNetwork Network,
    KernelKind Kind,
    Matrix<double> X,
    Matrix<double> Y,
    double Noise,
    JitterPolicy Jitter,
    int QuadratureOrder,
    LookupTableMode Lookup = LookupTableMode.Auto,
    InputGramCache? InputGram = null);

/// <summary>A factorised training set, ready to predict; owns its buffers (device memory on a GPU).</summary>
internal interface IFittedModel : IDisposable
{
    double LogMarginalLikelihood { get; }

    double Jitter { get; }

    StageTimings Timings { get; }

    /// <summary>Mean (M×C) and, when asked, per-point variances (M) for the test inputs.</summary>
    (Matrix<double> Mean, double[]? Variance) Predict(
        Matrix<double> xTest, bool withVariance, StageTimings timings, IProgress<StageProgress>? progress);
}
