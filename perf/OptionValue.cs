using System.Globalization;

namespace GpuNngp.Perf;

/// <summary>Strict parsing of a verb's option values: invariant culture, a one-line reason naming the option.</summary>
internal static class OptionValue
{
    public static int Integer(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result)
            ? result
            : throw new ArgumentException($"{name} takes an integer, got '{value}'");

    public static double Real(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double result)
            ? result
            : throw new ArgumentException($"{name} takes a number, got '{value}'");
}
