using GpuNngp.Engine.Architecture;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Pipeline;

/// <summary>Everything a fit needs, validated by the engine before the pipeline sees it.</summary>
internal sealed record FitRequest(LayerPlan Plan, Matrix<double> X, Matrix<double> Y, FitOptions Options)
{
    public KernelKind Kind => Options.Kind;

    public double Noise => Options.Noise;

    public JitterPolicy Jitter => Options.Jitter;

    public int QuadratureOrder => Options.QuadratureOrder;

    public LookupTableMode Lookup => Options.Lookup;

    public InputGramCache? InputGram => Options.InputGram;
}
