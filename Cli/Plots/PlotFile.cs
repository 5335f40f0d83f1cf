using GpuNngp.Data;
using ScottPlot;

namespace GpuNngp.Cli.Plots;

/// <summary>Writes a plot as a PNG atomically (a failed render leaves no partial file).</summary>
internal static class PlotFile
{
    public static void SavePng(Plot plot, string path, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>
    /// DejaVu Sans where installed (Debian's default fonts): it has σ, χ, ε and the sub- and
    /// superscript digits the labels use, and its σ reads as σ in bold. ScottPlot's default otherwise.
    /// </summary>
    public static void UseReadableFont(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        if (File.Exists("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
        {
            plot.Font.Set("DejaVu Sans");
        }
    }
}
