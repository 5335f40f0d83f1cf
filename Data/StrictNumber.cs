using System.Globalization;

namespace GpuNngp.Data;

/// <summary>
/// Numbers as a user types them, read one way everywhere: the invariant culture, a decimal point,
/// an optional sign and exponent, and no thousands separators, so "1,5" is an error rather than 15.
/// </summary>
public static class StrictNumber
{
    private const NumberStyles FloatStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>Reads a double: surrounding spaces, a sign, a decimal point and an exponent allowed, nothing else.</summary>
    /// <param name="text">The text; null is not a number.</param>
    /// <param name="value">The number, or 0 when the text is not one.</param>
    /// <returns>True when <paramref name="text"/> is a number.</returns>
    public static bool TryParseDouble(string? text, out double value) =>
        double.TryParse(text?.Trim(), FloatStyle, CultureInfo.InvariantCulture, out value);

    /// <summary>Reads an integer: surrounding spaces and a sign allowed, nothing else.</summary>
    /// <param name="text">The text; null is not a number.</param>
    /// <param name="value">The number, or 0 when the text is not one.</param>
    /// <returns>True when <paramref name="text"/> is an integer in the range of <see cref="int"/>.</returns>
    public static bool TryParseInt(string? text, out int value) =>
        int.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
