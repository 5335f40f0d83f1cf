using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Cuda;

/// <summary>
/// The NCCL entry points (libnccl.so.2) that make the GPU ranks' communicator, which cuSOLVERMp (from
/// 0.7) takes as its <c>ncclComm_t</c>: rank 0 makes a unique id, the ranks share it (over MPI), and each
/// joins with its rank. Signatures from NCCL's nccl.h (2.x): every call returns an ncclResult_t
/// (0 = ncclSuccess). ncclCommInitRank uses the CUDA device current on the calling thread.
/// </summary>
internal static unsafe partial class NcclNative
{
    /// <summary>NCCL 2's soname.</summary>
    public const string Library = "libnccl.so.2";

    /// <summary>NCCL_UNIQUE_ID_BYTES.</summary>
    public const int UniqueIdBytes = 128;

    /// <summary>ncclUniqueId: 128 opaque bytes, passed by value to ncclCommInitRank.</summary>
    [InlineArray(UniqueIdBytes)]
    public struct UniqueId
    {
        private byte _first;
    }

    /// <summary>The library as the GPU ranks load it.</summary>
    public static OptionalCudaLibrary Optional { get; } = new([Library], $"NCCL ({Library}: apt-get install libnccl2, or the nvidia-nccl-cu12 wheel)");

    [LibraryImport(Library, EntryPoint = "ncclGetVersion")]
    public static partial int GetVersion(int* version);

    [LibraryImport(Library, EntryPoint = "ncclGetUniqueId")]
    public static partial int GetUniqueId(UniqueId* id);

    [LibraryImport(Library, EntryPoint = "ncclCommInitRank")]
    public static partial int CommInitRank(nint* communicator, int ranks, UniqueId id, int rank);

    [LibraryImport(Library, EntryPoint = "ncclCommDestroy")]
    public static partial int CommDestroy(nint communicator);

    [LibraryImport(Library, EntryPoint = "ncclGetErrorString")]
    public static partial nint GetErrorString(int result);

    /// <summary>Throws <see cref="CudaException"/> naming the call and NCCL's own words where <paramref name="result"/> is not ncclSuccess.</summary>
    public static void Check(int result, string call)
    {
        if (result != 0)
        {
            string words = Marshal.PtrToStringUTF8(GetErrorString(result)) ?? "unknown error";
            throw new CudaException(call, result, words);
        }
    }
}
