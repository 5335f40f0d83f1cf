using GpuNngp.Solvers;

namespace GpuNngp.Engine;

/// <summary>
/// Where the public API meets a provider: a failure of the CUDA libraries (the bindings'
/// <see cref="CudaException"/>, internal) leaves the library as an <see cref="NngpDeviceException"/>
/// with the binding's exception inside, so callers catch one public type per kind of failure.
/// </summary>
internal static class DeviceFailures
{
    public static T Guard<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return work();
        }
        catch (CudaException e)
        {
            throw new NngpDeviceException($"the GPU failed: {e.Message}", e);
        }
    }
}
