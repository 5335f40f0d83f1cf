namespace GpuNngp.Engine.Spatial;

/// <summary>
/// The positions of one axis that a slice holds: slice offset d pairs position i with i + d, so on
/// an axis of n positions (no wrapping) it holds i ∈ [max(0, −d), min(n, n − d)).
/// </summary>
internal static class SliceAxis
{
    public static int First(int offset) => Math.Max(0, -offset);

    public static int End(int length, int offset) => Math.Min(length, length - offset);

    /// <summary>Every offset of an axis of <paramref name="length"/> positions: −(n − 1) … n − 1.</summary>
    public static int[] All(int length) => [.. Enumerable.Range(1 - length, (2 * length) - 1)];
}
