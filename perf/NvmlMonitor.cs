using System.Runtime.InteropServices;
using System.Text;

namespace GpuNngp.Perf;

/// <summary>
/// Device memory in use and the driver version, read through NVML (libnvidia-ml.so.1, shipped with
/// every NVIDIA driver). NVML needs no CUDA context, so a background thread can sample the memory in
/// use while the engine computes: the peak of a configuration is the largest sample minus the
/// memory in use once the engine (and its CUDA context) exists, before its first fit. The engine's
/// buffers live for whole stages (K_DD for the fit, the test tiles for the prediction), far longer
/// than the sampling interval.
/// </summary>
public sealed unsafe partial class NvmlMonitor : IDisposable
{
    private const string Library = "libnvidia-ml.so.1";
    private readonly nint _device;
    private readonly Lock _lock = new();
    private Thread? _thread;
    private volatile bool _stop;
    private ulong _peak;

    private NvmlMonitor(nint device, string name, string driver, ulong total, ulong baseline)
    {
        _device = device;
        Name = name;
        DriverVersion = driver;
        TotalBytes = total;
        BaselineBytes = baseline;
    }

    public string Name { get; }

    public string DriverVersion { get; }

    public ulong TotalBytes { get; }

    /// <summary>Device memory in use when the monitor opened (other processes, before this one's CUDA context).</summary>
    public ulong BaselineBytes { get; }

    /// <summary>
    /// Opens NVML on the device whose name occurs in <paramref name="gpuName"/> (the first device when
    /// none does); null with the reason where NVML is missing or reports an error.
    /// </summary>
    public static NvmlMonitor? TryOpen(string gpuName, out string reason)
    {
        ArgumentNullException.ThrowIfNull(gpuName);
        try
        {
            if (nvmlInit_v2() is var status and not 0)
            {
                reason = $"nvmlInit failed ({status})";
                return null;
            }

            Check(nvmlDeviceGetCount_v2(out uint count), "nvmlDeviceGetCount");
            nint chosen = 0;
            string chosenName = "";
            for (uint i = 0; i < count; i++)
            {
                Check(nvmlDeviceGetHandleByIndex_v2(i, out nint device), "nvmlDeviceGetHandleByIndex");
                string name = ReadString((buffer, length) => nvmlDeviceGetName(device, buffer, length));
                if (chosen == 0 || (gpuName.Contains(name, StringComparison.OrdinalIgnoreCase) && !gpuName.Contains(chosenName, StringComparison.OrdinalIgnoreCase)))
                {
                    chosen = device;
                    chosenName = name;
                }
            }

            if (chosen == 0)
            {
                reason = "NVML found no device";
                return null;
            }

            string driver = ReadString(nvmlSystemGetDriverVersion);
            Check(nvmlDeviceGetMemoryInfo(chosen, out var memory), "nvmlDeviceGetMemoryInfo");
            reason = "";
            return new NvmlMonitor(chosen, chosenName, driver, memory.Total, memory.Used);
        }
        catch (DllNotFoundException)
        {
            reason = $"{Library} did not load";
            return null;
        }
        catch (EntryPointNotFoundException e)
        {
            reason = $"{Library} lacks an entry point: {e.Message}";
            return null;
        }
        catch (InvalidOperationException e)
        {
            reason = e.Message;
            return null;
        }
    }

    /// <summary>Device memory in use now (all processes), bytes.</summary>
    public ulong UsedNow()
    {
        Check(nvmlDeviceGetMemoryInfo(_device, out var memory), "nvmlDeviceGetMemoryInfo");
        return memory.Used;
    }

    /// <summary>Starts sampling every <paramref name="intervalMilliseconds"/>; <see cref="StopSampling"/> returns the peak.</summary>
    public void StartSampling(int intervalMilliseconds = 2)
    {
        StopSampling();
        _stop = false;
        lock (_lock)
        {
            _peak = UsedNow();
        }

        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                ulong used = UsedNow();
                lock (_lock)
                {
                    _peak = Math.Max(_peak, used);
                }

                Thread.Sleep(intervalMilliseconds);
            }
        })
        {
            IsBackground = true,
            Name = "nvml-sampler",
        };
        _thread.Start();
    }

    /// <summary>The largest device memory in use (all processes) since <see cref="StartSampling"/>, bytes.</summary>
    public ulong StopSampling()
    {
        if (_thread is { } thread)
        {
            _stop = true;
            thread.Join();
            _thread = null;
        }

        ulong used = UsedNow();
        lock (_lock)
        {
            _peak = Math.Max(_peak, used);
            return _peak;
        }
    }

    public void Dispose()
    {
        if (_thread is not null)
        {
            _stop = true;
            _thread.Join();
            _thread = null;
        }

        _ = nvmlShutdown();
    }

    private static void Check(int status, string call)
    {
        if (status != 0)
        {
            throw new InvalidOperationException($"{call} failed (NVML status {status})");
        }
    }

    private unsafe delegate int StringCall(byte* buffer, uint length);

    private static unsafe string ReadString(StringCall call)
    {
        byte* buffer = stackalloc byte[256];
        Check(call(buffer, 256), "NVML string query");
        int length = 0;
        while (length < 256 && buffer[length] != 0)
        {
            length++;
        }

        return Encoding.UTF8.GetString(buffer, length);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlMemory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    [LibraryImport(Library)]
    private static partial int nvmlInit_v2();

    [LibraryImport(Library)]
    private static partial int nvmlShutdown();

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetCount_v2(out uint count);

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetHandleByIndex_v2(uint index, out nint device);

    [LibraryImport(Library)]
    private static unsafe partial int nvmlDeviceGetName(nint device, byte* name, uint length);

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetMemoryInfo(nint device, out NvmlMemory memory);

    [LibraryImport(Library)]
    private static unsafe partial int nvmlSystemGetDriverVersion(byte* version, uint length);
}
