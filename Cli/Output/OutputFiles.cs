using System.Globalization;

namespace GpuNngp.Cli.Output;

/// <summary>
/// A command's outputs, checked together before any work: each one's directory exists and is
/// writable, none is one of the inputs (which it would overwrite) or another output (which would
/// lose the first), and a file whose size is known fits the free space of its file system.
/// </summary>
internal sealed class OutputFiles
{
    private readonly List<(string Option, string Path, long Bytes)> _outputs = [];
    private readonly List<(string Option, string Path)> _inputs = [];

    /// <summary>An output; <paramref name="bytes"/> is its least size when known (0 when not).</summary>
    public OutputFiles Output(string option, string? path, long bytes = 0)
    {
        if (path is not null)
        {
            _outputs.Add((option, Path.GetFullPath(path), bytes));
        }

        return this;
    }

    public OutputFiles Input(string option, string? path)
    {
        if (path is not null)
        {
            _inputs.Add((option, Path.GetFullPath(path)));
        }

        return this;
    }

    /// <summary>The size of an R×C float64 matrix file: NPY's header (at most 256 bytes here) and 8 bytes an entry; a CSV is no smaller.</summary>
    public static long MatrixBytes(long rows, long columns) => 128 + rows * columns * 8;

    public void Check()
    {
        for (int i = 0; i < _outputs.Count; i++)
        {
            var (option, path, _) = _outputs[i];
            foreach (var input in _inputs.Where(input => SameFile(input.Path, path)))
            {
                throw new NngpInputException($"{option} {path} is also the input {input.Option}: it would be overwritten; name another output file");
            }

            for (int j = 0; j < i; j++)
            {
                if (SameFile(_outputs[j].Path, path))
                {
                    throw new NngpInputException($"{option} and {_outputs[j].Option} are the same file {path}: one would overwrite the other");
                }
            }

            if (Directory.Exists(path))
            {
                throw new NngpInputException($"{option} {path} is a directory: give a file name");
            }

            string directory = Path.GetDirectoryName(path) ?? ".";
            if (!Directory.Exists(directory))
            {
                throw new NngpInputException($"{option}: directory {directory} does not exist");
            }

            CheckWritable(option, directory);
        }

        // Outputs on one file system share its free space.
        foreach (var volume in _outputs.Where(o => o.Bytes > 0).GroupBy(o => FreeSpace(Path.GetDirectoryName(o.Path)!).Root))
        {
            long needed = volume.Sum(o => o.Bytes);
            long available = FreeSpace(Path.GetDirectoryName(volume.First().Path)!).Bytes;
            if (available >= 0 && needed > available)
            {
                string which = string.Join(" and ", volume.Select(o => o.Option));
                throw new NngpInputException(string.Create(CultureInfo.InvariantCulture,
                    $"{which} {(volume.Count() == 1 ? "needs" : "need")} {Gigabytes(needed)} but the file system of {Path.GetDirectoryName(volume.First().Path)} has {Gigabytes(available)} free"));
            }
        }
    }

    private static bool SameFile(string a, string b) =>
        string.Equals(Resolve(a), Resolve(b), StringComparison.Ordinal);

    /// <summary>The path with symbolic links followed, so a link to an input is seen as that input.</summary>
    private static string Resolve(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    /// <summary>Creates and deletes a probe file: permissions, read-only mounts and ACLs all show.</summary>
    private static void CheckWritable(string option, string directory)
    {
        string probe = Path.Combine(directory, $".nngp-write-probe-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NngpInputException($"{option}: cannot write in {directory} ({e.Message})");
        }
    }

    private static (string Root, long Bytes) FreeSpace(string directory)
    {
        try
        {
            // On Linux DriveInfo(directory) roots at the directory itself; the mount point (the
            // longest mounted root that holds it) is what outputs on one file system share.
            string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + Path.DirectorySeparatorChar;
            string root = DriveInfo.GetDrives()
                .Select(d => d.RootDirectory.FullName)
                .Where(r => full.StartsWith(Path.TrimEndingDirectorySeparator(r) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || r == "/")
                .OrderByDescending(r => r.Length)
                .FirstOrDefault() ?? directory;
            return (root, new DriveInfo(directory).AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (directory, -1); // unknown: the write itself will report a full disk
        }
    }

    private static string Gigabytes(long bytes) =>
        bytes >= 1L << 30
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB ({bytes} bytes)")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
}
