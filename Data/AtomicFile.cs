using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace GpuNngp.Data;

/// <summary>
/// Writes an output file so that it either appears complete or not at all: the bytes go to a
/// temporary file in the target's directory (the same file system, so the final rename is atomic)
/// and replace the target only after the writer has finished. An interrupted run therefore never
/// leaves a half-written matrix that a later step would read as if it were whole.
/// </summary>
public static class AtomicFile
{
    /// <summary>Temporary files being written now: deleted if the process is interrupted or exits first.</summary>
    private static readonly ConcurrentDictionary<string, byte> Pending = new(StringComparer.Ordinal);

    private static readonly Lazy<PosixSignalRegistration[]> Cleanup = new(RegisterCleanup);

    /// <summary>
    /// True in the ranks other than 0 of a distributed run: every write still runs (its callback may
    /// take part in collectives) but into <see cref="Stream.Null"/>, so that one rank alone writes the file.
    /// </summary>
    internal static bool DiscardWrites { get; set; }

    /// <summary>
    /// Calls <paramref name="write"/> with a stream to a temporary file, then renames that file over
    /// <paramref name="path"/>. If <paramref name="write"/> throws, the temporary file is deleted, the
    /// target (if it existed) is untouched, and the exception propagates. File-system failures become
    /// <see cref="NngpInputException"/>s naming the path.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        if (DiscardWrites)
        {
            write(Stream.Null);
            return;
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw InputErrors.Error(path, $"invalid output path: {e.Message}", e);
        }

        var directory = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw InputErrors.Error(path, $"cannot write: directory {directory} does not exist");
        }

        // A leading dot hides the partial file from casual listings; the random part keeps two
        // concurrent writers of the same target from sharing a temporary file.
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var renamed = false;
        _ = Cleanup.Value;
        Pending.TryAdd(temporary, 0);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                // Flushing to the disk before the rename makes the rename the commit point even
                // if the machine stops right after it.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
            renamed = true;
        }
        catch (UnauthorizedAccessException e)
        {
            throw InputErrors.Error(path, "cannot write: permission denied", e);
        }
        catch (IOException e)
        {
            throw InputErrors.Error(path, $"cannot write: {e.Message}", e);
        }
        finally
        {
            if (!renamed)
            {
                TryDelete(temporary);
            }

            Pending.TryRemove(temporary, out _);
        }
    }

    /// <summary>
    /// On Ctrl+C, SIGTERM, SIGHUP or an ordinary exit, deletes the temporary files still being written
    /// (up to gigabytes each), then lets the signal's default action end the process; no finally block
    /// runs then, so only this keeps an interrupted <c>kernel</c> or <c>predict</c> from leaving one.
    /// </summary>
    private static PosixSignalRegistration[] RegisterCleanup()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeletePending();
        return
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => DeletePending()),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => DeletePending()),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => DeletePending()),
        ];
    }

    /// <param name="directory">only the temporaries in this directory (a test's own), or all when null.</param>
    internal static void DeletePending(string? directory = null)
    {
        foreach (string temporary in Pending.Keys.Where(t => directory is null || Path.GetDirectoryName(t) == directory))
        {
            TryDelete(temporary);
        }
    }

    private static void TryDelete(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (IOException)
        {
            // The original failure is the one worth reporting; a leftover hidden temporary file is not.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
