using System.Globalization;

namespace GpuNngp.Data;

/// <summary>
/// Numbers as a user types them, read one way everywhere: the invariant culture, a decimal point,
/// an optional sign and exponent, and no thousands separators, so "1,5" is an error rather than 15.
/// </summary>
public static class StrictNumber
{
    private const NumberStyles FloatStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    public static bool TryParseDouble(string? text, out double value) =>
        double.TryParse(text?.Trim(), FloatStyle, CultureInfo.InvariantCulture, out value);

    public static bool TryParseInt(string? text, out int value) =>
        int.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
