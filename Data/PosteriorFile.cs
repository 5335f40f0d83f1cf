namespace GpuNngp.Data;

/// <summary>
/// A fitted posterior as a file (docs/persistence.md): <see cref="Save"/> writes it atomically (the
/// file appears complete or not at all, <see cref="AtomicFile"/>), <see cref="Load"/> reads it onto
/// an engine of any provider to predict without refitting. Every failure is a one-line
/// <see cref="NngpInputException"/> that begins with the path: a missing or unreadable file, one
/// that is not a posterior file, of another format version, truncated, or corrupted (its SHA-256
/// checksum).
/// </summary>
public static class PosteriorFile
{
    /// <summary>Writes <paramref name="posterior"/> to <paramref name="path"/> (replacing it only once the whole file is written).</summary>
    public static void Save(GpPosterior posterior, string path)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, posterior.Save);
    }

    /// <summary>The posterior saved at <paramref name="path"/>, loaded onto <paramref name="engine"/>'s device.</summary>
    public static GpPosterior Load(NngpEngine engine, string path)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return InputErrors.Guard(path, () =>
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            try
            {
                return engine.LoadPosterior(stream);
            }
            catch (NngpInputException e)
            {
                throw InputErrors.Error(path, e.Message, e);
            }
        });
    }
}
