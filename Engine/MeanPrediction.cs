using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The posterior mean at the test points (M×C) and the time each stage took: what
/// <see cref="GpPosterior.PredictMean"/> computes, without the variances' triangular solve.
/// </summary>
/// <param name="Mean">The posterior mean, one row per test point and one column per output.</param>
/// <param name="Timings">Seconds per stage of the prediction.</param>
public record MeanPrediction(Matrix<double> Mean, StageTimings Timings)
{
    /// <summary>The predicted class of each test point: the argmax of its mean row.</summary>
    public int[] PredictedClasses()
    {
        var classes = new int[Mean.RowCount];
        for (int i = 0; i < classes.Length; i++)
        {
            classes[i] = Mean.Row(i).MaximumIndex();
        }

        return classes;
    }
}
