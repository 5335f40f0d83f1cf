namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// A provider's own memory, opaque to the pipeline: native host memory on the CPU, device memory on a
/// GPU. The pipeline allocates, fills and reads buffers only through their provider; each provider
/// accepts only the buffers it made. Column-major matrices with 64-bit offsets.
/// </summary>
internal abstract class ProviderBuffer : IDisposable
{
    protected ProviderBuffer(long length) => Length = length;

    /// <summary>The number of doubles it holds.</summary>
    public long Length { get; }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
