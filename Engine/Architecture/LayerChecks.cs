using System.Globalization;

namespace GpuNngp.Engine.Architecture;

/// <summary>The parameter checks the spatial layers share, each message naming the layer.</summary>
internal static class LayerChecks
{
    public static void Variances(string layer, double weightVariance, double biasVariance)
    {
        if (!double.IsFinite(weightVariance) || weightVariance < 0)
        {
            throw new NngpInputException(string.Create(CultureInfo.InvariantCulture, $"{layer}: the weight variance must be finite and ≥ 0, got {weightVariance}"));
        }

        if (!double.IsFinite(biasVariance) || biasVariance < 0)
        {
            throw new NngpInputException(string.Create(CultureInfo.InvariantCulture, $"{layer}: the bias variance must be finite and ≥ 0, got {biasVariance}"));
        }
    }

    public static void Positive(string layer, string what, int height, int width)
    {
        if (height < 1 || width < 1)
        {
            throw new NngpInputException($"{layer}: the {what} must be at least 1×1, got {height}×{width}");
        }
    }

    public static void Known(string layer, Padding padding)
    {
        if (!Enum.IsDefined(padding))
        {
            throw new NngpInputException($"{layer}: unknown padding {(int)padding} (Same, Valid or Circular)");
        }
    }

    /// <summary>"same", "valid", "circular": the spec's spelling, used in every description.</summary>
    public static string Name(Padding padding) => padding switch
    {
        Padding.Same => "same",
        Padding.Valid => "valid",
        Padding.Circular => "circular",
        _ => ((int)padding).ToString(CultureInfo.InvariantCulture),
    };
}
