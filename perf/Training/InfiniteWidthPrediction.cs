using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Perf.Training;

/// <summary>
/// The infinite-width linear model stepped by the finite networks' own discrete schedule, from a
/// MathNet eigendecomposition written here: what separates the library's gradient-flow prediction
/// (<see cref="GradientDescentDynamics"/>) from the steps the trainer takes is time discretisation,
/// and this measures it with code independent of the library's.
/// </summary>
public static class InfiniteWidthPrediction
{
    /// <summary>
    /// The same infinite-width linear model trained by the discrete steps the finite networks take
    /// (step k moves time by <paramref name="stepTimes"/>[k] at learning rate <paramref name="learningRate"/>):
    /// Θ_*D Θ⁻¹ (I − Π_k (I − η h_k Θ/(NC))) Y after the first <paramref name="stepCounts"/>[i] steps.
    /// Its distance from gradient flow (the library's prediction) is the part of the gap that is
    /// time discretisation, not finite width.
    /// </summary>
    public static Matrix<double>[] DiscreteStepsMean(
        Matrix<double> trainKernel, Matrix<double> testTrainKernel, Matrix<double> targets, double learningRate,
        IReadOnlyList<double> stepTimes, IReadOnlyList<int> stepCounts)
    {
        ArgumentNullException.ThrowIfNull(stepTimes);
        ArgumentNullException.ThrowIfNull(stepCounts);
        double outputs = (double)trainKernel.RowCount * targets.ColumnCount;
        return SpectralMean(trainKernel, testTrainKernel, targets, stepCounts.Count, (i, lambda) =>
        {
            double remaining = 1, sum = 0;
            for (int k = 0; k < stepCounts[i]; k++)
            {
                double rate = learningRate * stepTimes[k] / outputs;
                sum += rate * remaining;
                remaining *= 1 - rate * lambda;
            }

            return sum; // = (1 − Π(1 − rate_k λ))/λ, finite at λ = 0
        });
    }

    /// <summary>Θ_*D V diag(g_i(λ)) Vᵀ Y for each of <paramref name="count"/> spectral functions g_i.</summary>
    private static Matrix<double>[] SpectralMean(
        Matrix<double> trainKernel, Matrix<double> testTrainKernel, Matrix<double> targets, int count, Func<int, double, double> filter)
    {
        ArgumentNullException.ThrowIfNull(trainKernel);
        ArgumentNullException.ThrowIfNull(testTrainKernel);
        ArgumentNullException.ThrowIfNull(targets);
        var eigen = trainKernel.Evd(Symmetricity.Symmetric);
        var vectors = eigen.EigenVectors;
        var lambdas = eigen.EigenValues.Real().Map(l => Math.Max(l, 0));
        var projected = vectors.TransposeThisAndMultiply(targets);
        var testInBasis = testTrainKernel * vectors;
        var results = new Matrix<double>[count];
        for (int i = 0; i < count; i++)
        {
            var scaled = projected.Clone();
            for (int j = 0; j < lambdas.Count; j++)
            {
                scaled.SetRow(j, scaled.Row(j) * filter(i, lambdas[j]));
            }

            results[i] = testInBasis * scaled;
        }

        return results;
    }
}
