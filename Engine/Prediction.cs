using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The posterior at the test points with its per-point uncertainty (<see cref="GpPosterior.Predict"/>):
/// the mean (M×C), the variance and standard deviation of each point (M; shared by the C outputs,
/// which share one kernel) and the time each stage took.
/// </summary>
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
