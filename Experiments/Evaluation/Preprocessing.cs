using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Experiments.Evaluation;

/// <summary>
/// The paper's preprocessing (DESIGN §1): inputs standardised per example and classification
/// targets as one-hot minus 0.1.
/// </summary>
public static class Preprocessing
{
    /// <summary>The target value of the true class (one-hot 1 minus 0.1).</summary>
    public const double TrueClassTarget = 0.9;

    /// <summary>The target value of every other class (one-hot 0 minus 0.1).</summary>
    public const double OtherClassTarget = -0.1;

    /// <summary>
    /// A new matrix whose rows each have mean 0 and variance 1 over their d features, hence
    /// x·x/d = 1: every input then has the same K⁰(x,x) = 1, which makes every q_l the same for all
    /// points. A constant row has no spread to scale and is an <see cref="NngpInputException"/>.
    /// </summary>
    public static Matrix<double> StandardisePerExample(Matrix<double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.RowCount;
        int d = x.ColumnCount;
        var values = x.ToColumnMajorArray();

        // Column-major storage: walking it sequentially accumulates all rows at once, far cheaper
        // than striding through each row. Two passes (mean, then squared deviations) keep the
        // variance accurate for rows with a large mean such as raw 0..255 pixels.
        var mean = new double[n];
        var largest = new double[n];
        for (int c = 0; c < d; c++)
        {
            var column = values.AsSpan(c * n, n);
            for (int r = 0; r < n; r++)
            {
                mean[r] += column[r];
                largest[r] = Math.Max(largest[r], Math.Abs(column[r]));
            }
        }

        for (int r = 0; r < n; r++)
        {
            mean[r] /= d;
        }

        var squares = new double[n];
        for (int c = 0; c < d; c++)
        {
            var column = values.AsSpan(c * n, n);
            for (int r = 0; r < n; r++)
            {
                double deviation = column[r] - mean[r];
                squares[r] += deviation * deviation;
            }
        }

        var scale = new double[n];
        for (int r = 0; r < n; r++)
        {
            double sd = Math.Sqrt(squares[r] / d);
            if (!double.IsFinite(sd) || !double.IsFinite(mean[r]))
            {
                throw new NngpInputException($"row {r + 1} contains NaN or infinite values and cannot be standardised");
            }

            // Rounding leaves a spread of about 1e-16 of the magnitude in a row of equal values;
            // scaling that up to variance 1 would turn rounding noise into an input.
            if (sd <= 1e-12 * largest[r])
            {
                throw new NngpInputException(
                    $"row {r + 1} is constant (every value {mean[r]}), so it cannot be standardised to mean 0 and variance 1");
            }

            scale[r] = 1 / sd;
        }

        for (int c = 0; c < d; c++)
        {
            var column = values.AsSpan(c * n, n);
            for (int r = 0; r < n; r++)
            {
                column[r] = (column[r] - mean[r]) * scale[r];
            }
        }

        return Matrix<double>.Build.Dense(n, d, values);
    }

    /// <summary>
    /// The N×C regression targets for class labels: 0.9 in the label's column, −0.1 elsewhere
    /// (one-hot minus 0.1, so the targets have mean zero over the classes when C = 10).
    /// </summary>
    public static Matrix<double> OneHotTargets(int[] labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (classes < 1)
        {
            throw new NngpInputException($"the number of classes must be at least 1, got {classes}");
        }

        if (labels.Length == 0)
        {
            throw new NngpInputException("no labels to encode");
        }

        var targets = Matrix<double>.Build.Dense(labels.Length, classes, OtherClassTarget);
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes)
            {
                throw new NngpInputException($"label {labels[i]} of example {i + 1} is outside [0, {classes})");
            }

            targets[i, labels[i]] = TrueClassTarget;
        }

        return targets;
    }
}
