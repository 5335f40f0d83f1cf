namespace GpuNngp.Engine.MonteCarlo;

/// <summary>A table of indices made once per sampler where its operations read it (host memory, or the device's).</summary>
internal class IndexTable(int[] values) : IDisposable
{
    /// <summary>The indices, on the host.</summary>
    public int[] Values { get; } = values;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
