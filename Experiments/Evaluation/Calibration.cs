using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Experiments.Evaluation;

/// <summary>
/// One bin of test points with similar predicted variance: its size, the range and mean of the
/// predicted variances in it, and the realised mean squared error of the posterior mean.
/// </summary>
/// <param name="Count">Test points in the bin.</param>
/// <param name="MinVariance">The smallest predicted variance in the bin.</param>
/// <param name="MaxVariance">The largest predicted variance in the bin.</param>
/// <param name="MeanVariance">The bin's mean predicted variance (the x of the calibration plot).</param>
/// <param name="MeanSquaredError">
/// The bin's realised mean squared error: (mean − target)² averaged over the bin's points and the C
/// outputs (the y of the calibration plot).
/// </param>
public sealed record CalibrationBin(int Count, double MinVariance, double MaxVariance, double MeanVariance, double MeanSquaredError);

/// <summary>
/// How well the predicted variances track the realised errors: equal-count bins by predicted
/// variance, and the Pearson and Spearman correlations between each point's predicted variance and
/// its squared error (averaged over the C outputs).
/// </summary>
/// <param name="Bins">Equal-count bins in increasing predicted variance.</param>
/// <param name="Pearson">Pearson correlation of per-point predicted variance and per-point squared error.</param>
/// <param name="Spearman">Spearman rank correlation of the same (ties get their average rank).</param>
/// <param name="Noise">σε²: for a calibrated GP the expected squared error per output is variance + σε².</param>
/// <param name="Points">Test points.</param>
/// <param name="Outputs">C, the outputs each point's squared error is averaged over.</param>
public sealed record CalibrationResult(
    IReadOnlyList<CalibrationBin> Bins, double Pearson, double Spearman, double Noise, int Points, int Outputs);

/// <summary>The uncertainty calibration of a GP's predictions: pure computation, no I/O.</summary>
public static class Calibration
{
    /// <summary>The default number of equal-count bins.</summary>
    public const int DefaultBins = 10;

    /// <summary>Per test point, the squared error of the posterior mean averaged over the C outputs: (1/C)·Σ_c (mean_ic − y_ic)².</summary>
    public static double[] SquaredErrors(Matrix<double> mean, Matrix<double> targets)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(targets);
        if (mean.RowCount != targets.RowCount || mean.ColumnCount != targets.ColumnCount)
        {
            throw new ArgumentException($"mean is {mean.RowCount}×{mean.ColumnCount} but targets {targets.RowCount}×{targets.ColumnCount}");
        }

        var errors = new double[mean.RowCount];
        for (int i = 0; i < errors.Length; i++)
        {
            double sum = 0;
            for (int c = 0; c < mean.ColumnCount; c++)
            {
                double d = mean[i, c] - targets[i, c];
                sum += d * d;
            }

            errors[i] = sum / mean.ColumnCount;
        }

        return errors;
    }

    /// <summary>Calibration of a prediction (mean M×C, variance M) against targets (M×C).</summary>
    public static CalibrationResult Compute(Matrix<double> mean, IReadOnlyList<double> variance, Matrix<double> targets, int bins, double noise)
    {
        ArgumentNullException.ThrowIfNull(mean);
        return Compute(variance, SquaredErrors(mean, targets), bins, noise, mean.ColumnCount);
    }

    /// <summary>
    /// Calibration from per-point predicted variances and per-point squared errors: the points sorted by
    /// variance are cut into <paramref name="bins"/> bins of equal count (the first M mod bins bins
    /// take one point more).
    /// </summary>
    public static CalibrationResult Compute(IReadOnlyList<double> variance, IReadOnlyList<double> squaredError, int bins, double noise, int outputs)
    {
        ArgumentNullException.ThrowIfNull(variance);
        ArgumentNullException.ThrowIfNull(squaredError);
        int m = variance.Count;
        if (squaredError.Count != m)
        {
            throw new ArgumentException($"{m} variances but {squaredError.Count} squared errors");
        }

        if (bins < 1)
        {
            throw new NngpInputException($"calibration needs at least 1 bin, got {bins}", nameof(bins));
        }

        if (m < bins)
        {
            throw new NngpInputException($"calibration with {bins} bins needs at least {bins} test points, got {m}");
        }

        for (int i = 0; i < m; i++)
        {
            if (!double.IsFinite(variance[i]) || !double.IsFinite(squaredError[i]))
            {
                throw new NngpInputException($"test point {i + 1} has a non-finite predicted variance or error");
            }
        }

        int[] order = Enumerable.Range(0, m).OrderBy(i => variance[i]).ThenBy(i => i).ToArray();
        var result = new CalibrationBin[bins];
        int start = 0;
        for (int b = 0; b < bins; b++)
        {
            int count = m / bins + (b < m % bins ? 1 : 0);
            double sumVariance = 0, sumError = 0;
            for (int j = start; j < start + count; j++)
            {
                sumVariance += variance[order[j]];
                sumError += squaredError[order[j]];
            }

            result[b] = new CalibrationBin(
                count, variance[order[start]], variance[order[start + count - 1]], sumVariance / count, sumError / count);
            start += count;
        }

        // A correlation of fewer than two points is undefined: NaN, which reports print as such.
        return m < 2
            ? new CalibrationResult(result, double.NaN, double.NaN, noise, m, outputs)
            : new CalibrationResult(result, Pearson(variance, squaredError), Spearman(variance, squaredError), noise, m, outputs);
    }

    /// <summary>The Pearson correlation coefficient (NaN when either sample is constant).</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count < 2)
        {
            throw new ArgumentException("correlation needs two samples of the same length, at least 2");
        }

        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }

        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }

    /// <summary>The Spearman rank correlation: Pearson's of the ranks, tied values sharing their average rank.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y) => Pearson(Ranks(x), Ranks(y));

    /// <summary>1-based ranks; ties get the average of the ranks they span.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int n = values.Count;
        int[] order = Enumerable.Range(0, n).OrderBy(i => values[i]).ToArray();
        var ranks = new double[n];
        int start = 0;
        while (start < n)
        {
            int end = start;
            while (end + 1 < n && values[order[end + 1]].Equals(values[order[start]]))
            {
                end++;
            }

            double rank = 0.5 * (start + end) + 1;
            for (int j = start; j <= end; j++)
            {
                ranks[order[j]] = rank;
            }

            start = end + 1;
        }

        return ranks;
    }
}
