using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The posterior at the test points with their joint uncertainty (<see cref="GpPosterior.PredictCovariance"/>):
/// everything a <see cref="Prediction"/> holds and the M×M posterior covariance
/// K_** − K_*D(K_DD + σε²I)⁻¹K_D*, whose diagonal is <see cref="Prediction.Variance"/>.
/// </summary>
/// <param name="Mean">The posterior mean, one row per test point and one column per output.</param>
/// <param name="Variance">The posterior variance of each test point, ≥ 0.</param>
/// <param name="Covariance">The M×M posterior covariance of the test points, symmetric.</param>
/// <param name="Timings">Seconds per stage of the prediction.</param>
public sealed record CovariancePrediction(Matrix<double> Mean, double[] Variance, Matrix<double> Covariance, StageTimings Timings)
    : Prediction(Mean, Variance, Timings);
