using System.Globalization;
using GpuNngp.Kernels.Device;
using GpuNngp.Solvers.Cuda;
using ILGPU;
using ILGPU.Runtime.Cuda;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// One NVIDIA GPU as the engine uses it: an ILGPU context and CUDA accelerator, ONE stream that the
/// ILGPU kernels, the copies, cuBLAS and cuSOLVER all run on (so their order is the stream's order),
/// the two library handles bound to it, and the kernels compiled for it.
/// Disposal order: library handles, stream, accelerator (which frees any buffer still alive), context.
/// </summary>
internal sealed class GpuDevice : IDisposable
{
    private GpuDevice(Context context, CudaAccelerator accelerator, CudaStream stream, CudaDenseLinearAlgebra blas)
    {
        Context = context;
        Accelerator = accelerator;
        Stream = stream;
        Blas = blas;
        Kernels = new GpuKernels(accelerator);
        var architecture = accelerator.Architecture;
        Name = string.Create(CultureInfo.InvariantCulture,
            $"GPU {accelerator.Name} (CC {architecture.Major}.{architecture.Minor}, {accelerator.MemorySize / (double)(1L << 30):F1} GiB, cuBLAS + cuSOLVER)");
    }

    public Context Context { get; }

    public CudaAccelerator Accelerator { get; }

    public CudaStream Stream { get; }

    public CudaDenseLinearAlgebra Blas { get; }

    public GpuKernels Kernels { get; }

    /// <summary>e.g. "GPU NVIDIA H100 80GB HBM3 (CC 9.0, 79.2 GiB, cuBLAS + cuSOLVER)".</summary>
    public string Name { get; }

    /// <summary>
    /// Opens CUDA device <paramref name="index"/> modulo the device count (the first by default; a GPU
    /// rank's is its rank on the node), or says in one line why none is usable: no driver, no device,
    /// no cuBLAS/cuSOLVER, or a failure while creating the context or the handles.
    /// </summary>
    public static GpuDevice? TryOpen(out string reason, int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        // ILGPU resolves the driver once, when it first touches CUDA: the resolver must be in place first.
        CudaDriverResolver.Install();
        if (!CudaDriverResolver.TryLoad(out string? driverReason))
        {
            reason = driverReason ?? "the CUDA driver did not load";
            return null;
        }

        Context? context = null;
        CudaAccelerator? accelerator = null;
        CudaStream? stream = null;
        try
        {
            context = DeviceContexts.Create(builder => builder.Cuda());
            var devices = context.GetCudaDevices();
            if (devices.Count == 0)
            {
                reason = $"the CUDA driver loaded ({CudaDriverResolver.DriverLocation ?? "libcuda"}) but ILGPU found no CUDA device";
                context.Dispose();
                return null;
            }

            if (!CudaLibraryResolver.TryLoad(out string? libraryReason))
            {
                reason = libraryReason ?? "cuBLAS/cuSOLVER did not load";
                context.Dispose();
                return null;
            }

            accelerator = devices[index % devices.Count].CreateCudaAccelerator(context);
            stream = accelerator.CreateStream(StreamFlags.CU_STREAM_NON_BLOCKING);
            var blas = new CudaDenseLinearAlgebra(stream.StreamPtr);
            reason = "";
            return new GpuDevice(context, accelerator, stream, blas);
        }
#pragma warning disable CA1031 // any failure to open the device means "no usable GPU", with its message
        catch (Exception e)
#pragma warning restore CA1031
        {
            stream?.Dispose();
            accelerator?.Dispose();
            context?.Dispose();
            string message = e.Message;
            int end = message.IndexOfAny(['\r', '\n']);
            reason = $"opening the GPU failed: {e.GetType().Name}: {(end < 0 ? message : message[..end])}";
            return null;
        }
    }

    /// <summary>The CUDA device ordinal (the runtime's, which NCCL and cuSOLVERMp take).</summary>
    public int Ordinal => Accelerator.DeviceId;

    /// <summary>Makes the accelerator's CUDA context current on the calling thread (cuBLAS/cuSOLVER need it).</summary>
    public void Bind() => Accelerator.Bind();

    /// <summary>Waits for everything queued on the stream; stage timings read the clock after it.</summary>
    public void Synchronize() => Stream.Synchronize();

    /// <summary>Free device memory in bytes, as the driver reports it now.</summary>
    public long FreeMemory() => Accelerator.GetFreeMemory();

    public void Dispose()
    {
        Accelerator.Bind();
        try
        {
            Blas.Dispose();
        }
        finally
        {
            Stream.Dispose();
            Accelerator.Dispose();
            Context.Dispose();
        }
    }
}
