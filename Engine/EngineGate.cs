namespace GpuNngp.Engine;

/// <summary>
/// One engine's calls, one at a time, and its lifetime. Every public operation of an engine, and of
/// the posteriors and input Gram caches it made, runs inside <see cref="Run{T}"/>: calls from several
/// threads queue on one lock — a provider computes one thing at a time (one CUDA stream, one cuBLAS
/// handle; on the CPU the computation is itself parallel over the cores) — and, once the engine is
/// disposed (<see cref="Close"/>), throw <see cref="ObjectDisposedException"/> on every provider
/// alike, not only where freed device memory would fault. The lock is reentrant, so a progress
/// callback may call the engine. Failures of the CUDA libraries leave as <see cref="NngpDeviceException"/>
/// (<see cref="DeviceFailures"/>).
/// </summary>
internal sealed class EngineGate
{
    private readonly Lock _lock = new();
    private bool _closed;

    /// <summary>Runs <paramref name="work"/> alone on the engine; <paramref name="caller"/> names the object used in the refusal after <see cref="Close"/>.</summary>
    public T Run<T>(object caller, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(work);
        lock (_lock)
        {
            if (_closed)
            {
                throw caller is NngpEngine
                    ? new ObjectDisposedException(nameof(NngpEngine))
                    : new ObjectDisposedException(caller.GetType().Name, $"the NngpEngine that made this {caller.GetType().Name} was disposed");
            }

            return DeviceFailures.Guard(work);
        }
    }

    /// <summary>Frees what the engine made (a posterior's or cache's buffers) once no call uses it, also after <see cref="Close"/>.</summary>
    public void Release(Action free)
    {
        ArgumentNullException.ThrowIfNull(free);
        lock (_lock)
        {
            free();
        }
    }

    /// <summary>Refuses every later call and disposes <paramref name="provider"/> once the running call (if any) has ended; a second call does nothing.</summary>
    public void Close(IDisposable provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            provider.Dispose();
        }
    }
}
