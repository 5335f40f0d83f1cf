using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The posterior at the test points with its per-point uncertainty (<see cref="GpPosterior.Predict"/>):
/// the mean (M×C), the variance and standard deviation of each point (M; shared by the C outputs,
/// which share one kernel) and the time each stage took.
/// </summary>
/// <param name="Mean">The posterior mean, one row per test point and one column per output.</param>
/// <param name="Variance">The posterior variance of each test point, ≥ 0.</param>
/// <param name="Timings">Seconds per stage of the prediction.</param>
public record Prediction(Matrix<double> Mean, double[] Variance, StageTimings Timings) : MeanPrediction(Mean, Timings)
{
    /// <summary>√variance of each test point: the error bar of its mean, in the targets' units.</summary>
    public double[] StandardDeviation { get; } = Array.ConvertAll(Variance, Math.Sqrt);

    /// <summary>For <c>var (mean, variance) = posterior.Predict(x)</c>.</summary>
    public void Deconstruct(out Matrix<double> mean, out double[] variance)
    {
        mean = Mean;
        variance = Variance;
    }
}
