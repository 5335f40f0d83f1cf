using System.Globalization;

namespace GpuNngp.Engine.Selection;

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

    public int Count => WeightVariances.Count * BiasVariances.Count * Depths.Count * Noises.Count;

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

    /// <summary>Checks the grid before any work: non-empty lists, depths ≥ 0, variances and noise finite and ≥ 0.</summary>
    public void Validate()
    {
        Check(WeightVariances, "weight variances");
        Check(BiasVariances, "bias variances");
        Check(Noises, "noise values");
        if (Depths.Count == 0 || Depths.Any(d => d < 0))
        {
            throw new NngpInputException($"depths must be a non-empty list of values ≥ 0, got [{string.Join(", ", Depths)}]");
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
                int count = int.Parse(parts[2], CultureInfo.InvariantCulture);
                if (count < 1)
                {
                    throw new NngpInputException($"{what}: a range needs a count ≥ 1, got '{text}'");
                }

                return SignalPropagation.Linspace(Parse(parts[0]), Parse(parts[1]), count);
            }

            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToArray();
        }
        catch (FormatException)
        {
            throw new NngpInputException($"{what}: '{text}' is not a list 'a,b,c' or a range 'start:stop:count' of numbers");
        }

        static double Parse(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static void Check(IReadOnlyList<double> values, string what)
    {
        if (values.Count == 0 || values.Any(v => !double.IsFinite(v) || v < 0))
        {
            throw new NngpInputException($"{what} must be a non-empty list of finite values ≥ 0, got [{string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]");
        }
    }
}
