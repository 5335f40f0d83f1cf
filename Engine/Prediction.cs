using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>The posterior at the test points: mean (M×C), per-point variance (M) and the time each stage took.</summary>
/// <param name="Mean">The posterior mean K_*D·α, M×C: row i is test point i, column c output c.</param>
/// <param name="Variance">The posterior variance of the latent function at each test point (M values, ≥ 0, without the noise σε²; one for all outputs), or null when <see cref="GpPosterior.Predict"/> was asked for none.</param>
/// <param name="Timings">Seconds per stage of this prediction.</param>
public sealed record Prediction(Matrix<double> Mean, double[]? Variance, StageTimings Timings)
{
    /// <summary>The predicted class of each test point: the argmax of its mean row (the first on a tie), 0 to C − 1.</summary>
    public int[] PredictedClasses()
    {
        var classes = new int[Mean.RowCount];
        for (int i = 0; i < classes.Length; i++)
        {
            classes[i] = Mean.Row(i).MaximumIndex();
        }

        return classes;
    }

    /// <summary>Deconstructs into the mean and the variance: <c>var (mean, variance) = posterior.Predict(x);</c>.</summary>
    /// <param name="mean">The <see cref="Mean"/>.</param>
    /// <param name="variance">The <see cref="Variance"/>.</param>
    public void Deconstruct(out Matrix<double> mean, out double[]? variance)
    {
        mean = Mean;
        variance = Variance;
    }
}
