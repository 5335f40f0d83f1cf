using System.Globalization;

namespace GpuNngp.Engine.Computation;

/// <summary>
/// The one-line refusal of a size that cannot fit, worded alike for host RAM and device memory:
/// what needs how many bytes, what the machine has, and what to do instead.
/// </summary>
internal static class MemoryRefusal
{
    /// <summary>
    /// "N = 60,000 training points need 28.8 GB for K_DD (plus 0.8 GB for X, the targets and
    /// workspace) but the host has 24.3 GB available (MemAvailable); use fewer training points".
    /// </summary>
    public static NngpInputException Error(
        string subject, long mainBytes, string mainWhat, long sideBytes, string sideWhat, string holder, long availableBytes, string availability, string remedy) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{subject} {Gigabytes(mainBytes)} for {mainWhat} (plus {Gigabytes(sideBytes)} for {sideWhat}) but {holder} {Gigabytes(availableBytes)} {availability}; {remedy}"));

    /// <summary>Decimal gigabytes with one decimal, e.g. "115.2 GB".</summary>
    public static string Gigabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:N1} GB");
}
