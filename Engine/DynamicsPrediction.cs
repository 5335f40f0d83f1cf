using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// What the infinite ensemble of infinitely wide networks trained by gradient descent predicts at the
/// test points at each of <see cref="Times"/> (<see cref="GradientDescentDynamics.Predict"/>): entry i
/// of each list belongs to time i.
/// </summary>
/// <param name="Times">The training times t, in the order asked; <see cref="double.PositiveInfinity"/> is the end of training.</param>
/// <param name="Means">The ensemble mean at each time, M×C (one row per test point, one column per output).</param>
/// <param name="Variances">The ensemble variance of each test point at each time (M, shared by the C outputs), ≥ 0.</param>
/// <param name="Covariances">The M×M ensemble covariance at each time, symmetric; null unless asked for.</param>
/// <param name="Timings">Seconds per stage of the prediction.</param>
public sealed record DynamicsPrediction(
    IReadOnlyList<double> Times, IReadOnlyList<Matrix<double>> Means, IReadOnlyList<double[]> Variances, IReadOnlyList<Matrix<double>>? Covariances, StageTimings Timings);
