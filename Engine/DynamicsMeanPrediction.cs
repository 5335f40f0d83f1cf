using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The mean of the infinite ensemble trained by gradient descent at the test points at each of
/// <see cref="Times"/> (<see cref="GradientDescentDynamics.PredictMean"/>): what
/// <see cref="DynamicsPrediction"/> holds without the variances.
/// </summary>
/// <param name="Times">The training times t, in the order asked; <see cref="double.PositiveInfinity"/> is the end of training.</param>
/// <param name="Means">The ensemble mean at each time, M×C (one row per test point, one column per output).</param>
/// <param name="Timings">Seconds per stage of the prediction.</param>
public sealed record DynamicsMeanPrediction(IReadOnlyList<double> Times, IReadOnlyList<Matrix<double>> Means, StageTimings Timings);
