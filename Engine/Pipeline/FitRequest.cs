using GpuNngp.Engine.Architecture;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Pipeline;

/// <summary>Everything a fit needs, validated by the engine before the pipeline sees it.</summary>
internal sealed record FitRequest(
    LayerPlan Plan,
    KernelKind Kind,
    Matrix<double> X,
    Matrix<double> Y,
    double Noise,
    JitterPolicy Jitter,
    int QuadratureOrder,
    LookupTableMode Lookup = LookupTableMode.Auto,
    InputGramCache? InputGram = null);
