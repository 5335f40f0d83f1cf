using System.Globalization;

namespace GpuNngp.Engine.Computation;

/// <summary>How much host RAM a computation may still take: the kernel's MemAvailable estimate.</summary>
internal static class HostMemory
{
    /// <summary>The file the kernel publishes it in.</summary>
    public const string MemInfoPath = "/proc/meminfo";

    /// <summary>
    /// MemAvailable in bytes (free memory plus what the page cache and reclaimable slabs can give
    /// back without swapping), or null where the file or the field is missing (not Linux).
    /// </summary>
    public static long? Available() => Available(MemInfoPath);

    /// <summary><see cref="Available()"/> read from <paramref name="path"/> (tests hand in a fixture).</summary>
    public static long? Available(string path)
    {
        try
        {
            return File.Exists(path) ? Parse(File.ReadLines(path)) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The MemAvailable line of /proc/meminfo ("MemAvailable:   23740716 kB") in bytes.</summary>
    public static long? Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        foreach (string line in lines)
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal))
            {
                continue;
            }

            string[] fields = line["MemAvailable:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length == 2 && fields[1] == "kB" && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kibibytes)
                ? kibibytes * 1024
                : null;
        }

        return null;
    }
}
