using System.Globalization;
using GpuNngp.Data;

namespace GpuNngp.Experiments.Selection;

/// <summary>One point of a hyperparameter grid: the paper's GP-depth-σw²-σb², plus the noise σε².</summary>
public readonly record struct SearchPoint(int Depth, double WeightVariance, double BiasVariance, double Noise);

/// <summary>
/// The grid a search walks, in a fixed order (depth, noise, σb², σw²) so that an interrupted search
/// and its resumption write the same file as an uninterrupted one.
/// </summary>
public sealed record SearchGrid(
    IReadOnlyList<double> WeightVariances,
    IReadOnlyList<double> BiasVariances,
    IReadOnlyList<int> Depths,
    IReadOnlyList<double> Noises)
{
    /// <summary>The paper's grid: σw² ∈ linspace(0.1, 5, 30), σb² ∈ linspace(0, 2, 30), depths 1, 2, 3, 5, 7, 20.</summary>
    public static SearchGrid Paper { get; } = new(
        SignalPropagation.Linspace(0.1, 5, 30), SignalPropagation.Linspace(0, 2, 30), [1, 2, 3, 5, 7, 20], [1e-10]);

    /// <summary>
    /// The most points a grid may have: each is a whole GP fit, so a larger grid is a typing error
    /// (and its count would overflow an int at 65536 × 65536).
    /// </summary>
    public const long MaxPoints = 1_000_000;

    /// <summary>The number of points, without overflow for any list lengths.</summary>
    public long Count => (long)WeightVariances.Count * BiasVariances.Count * Depths.Count * Noises.Count;

    /// <summary>Whether <paramref name="point"/> is one of this grid's points (without enumerating them).</summary>
    public bool Contains(SearchPoint point) =>
        Depths.Contains(point.Depth) && Noises.Contains(point.Noise) && BiasVariances.Contains(point.BiasVariance) && WeightVariances.Contains(point.WeightVariance);

    public IEnumerable<SearchPoint> Points()
    {
        foreach (int depth in Depths)
        {
            foreach (double noise in Noises)
            {
                foreach (double bias in BiasVariances)
                {
                    foreach (double weight in WeightVariances)
                    {
                        yield return new SearchPoint(depth, weight, bias, noise);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Checks the grid before any work: non-empty lists without repeated values, depths ≥ 0, variances
    /// and noise finite and ≥ 0, at most <see cref="MaxPoints"/> points.
    /// </summary>
    public void Validate()
    {
        Check(WeightVariances, "weight variances");
        Check(BiasVariances, "bias variances");
        Check(Noises, "noise values");
        if (Depths.Count == 0 || Depths.Any(d => d < 0))
        {
            throw new NngpInputException($"depths must be a non-empty list of values ≥ 0, got [{string.Join(", ", Depths)}]");
        }

        if (Depths.GroupBy(d => d).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new NngpInputException($"depths list {repeated.Key} more than once: each grid point is computed once");
        }

        if (Count > MaxPoints)
        {
            throw new NngpInputException(FormattableString.Invariant(
                $"the grid has {WeightVariances.Count} × {BiasVariances.Count} × {Depths.Count} × {Noises.Count} = {Count} points, more than the {MaxPoints} a search may have (each point is a whole fit)"));
        }
    }

    /// <summary>
    /// Parses "a,b,c" (a list) or "start:stop:count" (a linspace) as the command line writes it.
    /// </summary>
    public static IReadOnlyList<double> ParseValues(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            string[] parts = text.Split(':');
            if (parts.Length == 3)
            {
                if (!long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long count) || count < 1 || count > MaxPoints)
                {
                    throw new NngpInputException(FormattableString.Invariant(
                        $"{what}: a range 'start:stop:count' needs a whole count from 1 to {MaxPoints}, got '{parts[2]}' in '{text}'"));
                }

                return SignalPropagation.Linspace(Parse(parts[0]), Parse(parts[1]), (int)count);
            }

            if (parts.Length != 1)
            {
                throw new FormatException();
            }

            return text.Split(',', StringSplitOptions.TrimEntries).Select(Parse).ToArray();
        }
        catch (FormatException)
        {
            throw new NngpInputException($"{what}: '{text}' is not a list 'a,b,c' or a range 'start:stop:count' of numbers");
        }

        static double Parse(string s) => StrictNumber.TryParseDouble(s, out double value) ? value : throw new FormatException();
    }

    private static void Check(IReadOnlyList<double> values, string what)
    {
        if (values.Count == 0 || values.Any(v => !double.IsFinite(v) || v < 0))
        {
            throw new NngpInputException($"{what} must be a non-empty list of finite values ≥ 0, got [{string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]");
        }

        if (values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new NngpInputException(FormattableString.Invariant($"{what} list {repeated.Key} more than once: each grid point is computed once"));
        }
    }
}
