using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>The posterior at the test points: mean (M×C), per-point variance (M) and the time each stage took.</summary>
public sealed record Prediction(Matrix<double> Mean, double[]? Variance, StageTimings Timings)
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

    public void Deconstruct(out Matrix<double> mean, out double[]? variance)
    {
        mean = Mean;
        variance = Variance;
    }
}
