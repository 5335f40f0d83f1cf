using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// What a <see cref="GpPosterior"/> holds, whichever solver fitted it: the dense factorisation
/// (<see cref="FittedModel"/>) or the iterative solve (<see cref="Iterative.PcgModel"/>).
/// </summary>
internal interface IPosteriorModel : IDisposable
{
    /// <summary>What it was fitted from.</summary>
    FitRequest Request { get; }

    /// <summary>log p(Y | X), in nats.</summary>
    double LogMarginalLikelihood { get; }

    /// <summary>The jitter added on top of σε² (0 where none was needed).</summary>
    double Jitter { get; }

    /// <summary>Seconds per stage of the fit.</summary>
    StageTimings Timings { get; }

    /// <summary>Mean (M×C) and, as <paramref name="detail"/> asks, per-point variances and the M×M covariance.</summary>
    (Matrix<double> Mean, double[]? Variance, Matrix<double>? Covariance) Predict(
        Matrix<double> xTest, PredictionDetail detail, StageTimings timings, IProgress<StageProgress>? progress, CancellationToken cancellationToken);
}
