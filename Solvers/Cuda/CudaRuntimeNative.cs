using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Cuda;

/// <summary>
/// The one CUDA runtime call the GPU ranks make themselves: cudaGetDevice, to check that the device
/// NCCL and cuSOLVERMp will use (the runtime's current one, which follows the current driver context)
/// is the rank's own. cuSOLVERMp and NCCL load the runtime anyway; loading it first names it where
/// absent. Called through the export of whichever soname loaded (CUDA 13's or 12's).
/// </summary>
internal static unsafe class CudaRuntimeNative
{
    /// <summary>The runtime of CUDA 13 or 12 (cuSOLVERMp is built against one of them).</summary>
    public static OptionalCudaLibrary Optional { get; } = new(["libcudart.so.13", "libcudart.so.12"], "the CUDA runtime (libcudart.so.13/.12: the CUDA toolkit or the nvidia-cuda-runtime wheel)");

    /// <summary>cudaGetDevice: the runtime's current device ordinal (cudaError_t 0 = cudaSuccess).</summary>
    public static int CurrentDevice()
    {
        if (!Optional.TryLoad(out string reason))
        {
            throw new CudaException(reason);
        }

        var getDevice = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(Optional.Handle, "cudaGetDevice");
        int device = -1;
        int status = getDevice(&device);
        return status == 0 ? device : throw new CudaException("cudaGetDevice", status);
    }
}
