using GpuNngp.Engine.Architecture;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// A sliding window (a convolution's filter, a pooling window) as index tables where the operations
/// read them: <see cref="Sources"/>, the input pixel each (output pixel, offset) reads (−1 on padding
/// zeros), and its inverse — for each input pixel the (output pixel, offset) positions that read it,
/// as starts and entries (CSR) — so the backward pass gathers instead of scattering.
/// </summary>
internal sealed class SampledWindow : IDisposable
{
    private SampledWindow(SampledOperations operations, int inPixels, int outPixels, int offsets, Func<int, int, int> source)
    {
        InPixels = inPixels;
        OutPixels = outPixels;
        Offsets = offsets;
        var sources = new int[outPixels * offsets];
        var counts = new int[inPixels + 1];
        for (int e = 0; e < sources.Length; e++)
        {
            sources[e] = source(e / offsets, e % offsets);
            if (sources[e] >= 0)
            {
                counts[sources[e] + 1]++;
            }
        }

        for (int a = 0; a < inPixels; a++)
        {
            counts[a + 1] += counts[a];
        }

        var entries = new int[counts[inPixels]];
        var next = counts[..inPixels];
        for (int e = 0; e < sources.Length; e++)
        {
            if (sources[e] >= 0)
            {
                entries[next[sources[e]]++] = e; // e = output pixel · offsets + offset
            }
        }

        Sources = operations.Table(sources);
        Starts = operations.Table(counts);
        Entries = operations.Table(entries);
    }

    public int InPixels { get; }

    public int OutPixels { get; }

    /// <summary>The pixels in one window, k_h·k_w (P for a global pooling).</summary>
    public int Offsets { get; }

    public IndexTable Sources { get; }

    public IndexTable Starts { get; }

    public IndexTable Entries { get; }

    /// <summary>The window of a convolution or an average pooling (lax's padding rules, as the analytic kernel).</summary>
    public static SampledWindow Of(SampledOperations operations, SpatialWindow window) =>
        new(operations, window.Input.Pixels, window.Output.Pixels, window.Offsets, window.Source);

    /// <summary>Global average pooling: one output pixel whose window is the whole image.</summary>
    public static SampledWindow Global(SampledOperations operations, int pixels) =>
        new(operations, pixels, 1, pixels, (_, offset) => offset);

    public void Dispose()
    {
        Sources.Dispose();
        Starts.Dispose();
        Entries.Dispose();
    }
}
