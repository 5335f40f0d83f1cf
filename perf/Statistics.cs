namespace GpuNngp.Perf;

/// <summary>The median and spread of repeated measurements of one figure.</summary>
/// <param name="Spread">(max − min) / median: the full range of the repeats relative to the median.</param>
public sealed record Summary(double Median, double Min, double Max, double Spread, IReadOnlyList<double> Samples)
{
    public static Summary Of(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            throw new ArgumentException("no samples", nameof(samples));
        }

        double median = Statistics.Median(samples);
        double min = samples.Min();
        double max = samples.Max();
        return new Summary(median, min, max, median > 0 ? (max - min) / median : 0, samples.ToArray());
    }
}

public static class Statistics
{
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>
    /// The least-squares slope of log y against log x (the scaling exponent of y ∝ x^p) and the
    /// coefficient of determination R² of that line; null with fewer than two distinct x or a y ≤ 0.
    /// </summary>
    public static (double Slope, double RSquared)? LogLogSlope(IReadOnlyList<(double X, double Y)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count < 2 || points.Any(p => p.X <= 0 || p.Y <= 0) || points.Select(p => p.X).Distinct().Count() < 2)
        {
            return null;
        }

        var xs = points.Select(p => Math.Log(p.X)).ToArray();
        var ys = points.Select(p => Math.Log(p.Y)).ToArray();
        double meanX = xs.Average(), meanY = ys.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            sxy += (xs[i] - meanX) * (ys[i] - meanY);
            sxx += (xs[i] - meanX) * (xs[i] - meanX);
            syy += (ys[i] - meanY) * (ys[i] - meanY);
        }

        double slope = sxy / sxx;
        double rSquared = syy > 0 ? sxy * sxy / (sxx * syy) : 1;
        return (slope, rSquared);
    }
}
