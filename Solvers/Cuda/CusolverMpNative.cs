using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Cuda;

/// <summary>
/// cuSOLVERMp (libcusolverMp.so.0), NVIDIA's multi-process, multi-GPU dense solver: the same 2-D
/// block-cyclic layout as ScaLAPACK with one rank per GPU, its matrices in device memory. Bindings for
/// what a GPU-node distributed provider needs: the handle, the device grid over a communicator, matrix
/// descriptors, NUMROC, Cholesky factorisation and solve, and the symmetric eigendecomposition.
/// Checked against cuSOLVERMp 0.7.2's cusolverMp.h (and nvmath-python's bindings of 0.7.2–0.8.0):
/// 64-bit sizes and offsets, uint32 process sources, size_t workspaces. Compiled, not yet run on a GPU.
/// The communicator is an <c>ncclComm_t</c> from cuSOLVERMp 0.7 (a CAL <c>cal_comm_t</c> before): the
/// GPU ranks refuse an older release (<see cref="MinimumVersion"/>). Every function returns a
/// cusolverStatus_t (0 = success); <c>info</c> arguments are device pointers.
/// </summary>
internal static unsafe partial class CusolverMpNative
{
    /// <summary>The soname of cuSOLVERMp's releases so far.</summary>
    public const string Library = "libcusolverMp.so.0";

    /// <summary>CUSOLVERMP_VERSION of 0.7.0 (major · 1000 + minor · 100 + patch), the first release on NCCL.</summary>
    public const int MinimumVersion = 700;

    /// <summary>The library as the GPU ranks load it.</summary>
    public static OptionalCudaLibrary Optional { get; } = new([Library], $"cuSOLVERMp ({Library}, NVIDIA's HPC SDK or the nvidia-cusolvermp wheel)");

    /// <summary>cudaDataType CUDA_R_64F.</summary>
    public const int Double = 1;

    /// <summary>cublasFillMode_t CUBLAS_FILL_MODE_LOWER.</summary>
    public const int Lower = 0;

    /// <summary>cusolverMpGridMapping_t CUSOLVERMP_GRID_MAPPING_ROW_MAJOR = 1 (ScaLAPACK's "Row" order: rank r at (r / columns, r % columns)).</summary>
    public const int RowMajorGrid = 1;

    [LibraryImport(Library, EntryPoint = "cusolverMpCreate")]
    public static partial int Create(nint* handle, int device, nint stream);

    [LibraryImport(Library, EntryPoint = "cusolverMpDestroy")]
    public static partial int Destroy(nint handle);

    [LibraryImport(Library, EntryPoint = "cusolverMpGetVersion")]
    public static partial int GetVersion(nint handle, int* version);

    [LibraryImport(Library, EntryPoint = "cusolverMpCreateDeviceGrid")]
    public static partial int CreateDeviceGrid(nint handle, nint* grid, nint communicator, int rowDevices, int columnDevices, int mapping);

    [LibraryImport(Library, EntryPoint = "cusolverMpDestroyGrid")]
    public static partial int DestroyGrid(nint grid);

    [LibraryImport(Library, EntryPoint = "cusolverMpCreateMatrixDesc")]
    public static partial int CreateMatrixDescriptor(
        nint* descriptor, nint grid, int dataType, long m, long n, long mb, long nb, uint rowSource, uint columnSource, long leadingDimension);

    [LibraryImport(Library, EntryPoint = "cusolverMpDestroyMatrixDesc")]
    public static partial int DestroyMatrixDescriptor(nint descriptor);

    /// <summary>The rows (or columns) of an n-long axis in blocks of nb that process <paramref name="process"/> of <paramref name="processes"/> holds.</summary>
    [LibraryImport(Library, EntryPoint = "cusolverMpNUMROC")]
    public static partial long Numroc(long n, long nb, uint process, uint sourceProcess, uint processes);

    [LibraryImport(Library, EntryPoint = "cusolverMpPotrf_bufferSize")]
    public static partial int PotrfBufferSize(
        nint handle, int uplo, long n, void* a, long ia, long ja, nint descriptorA, int computeType, nuint* deviceBytes, nuint* hostBytes);

    [LibraryImport(Library, EntryPoint = "cusolverMpPotrf")]
    public static partial int Potrf(
        nint handle, int uplo, long n, void* a, long ia, long ja, nint descriptorA, int computeType,
        void* deviceWork, nuint deviceBytes, void* hostWork, nuint hostBytes, int* info);

    [LibraryImport(Library, EntryPoint = "cusolverMpPotrs_bufferSize")]
    public static partial int PotrsBufferSize(
        nint handle, int uplo, long n, long nrhs, void* a, long ia, long ja, nint descriptorA, void* b, long ib, long jb, nint descriptorB,
        int computeType, nuint* deviceBytes, nuint* hostBytes);

    [LibraryImport(Library, EntryPoint = "cusolverMpPotrs")]
    public static partial int Potrs(
        nint handle, int uplo, long n, long nrhs, void* a, long ia, long ja, nint descriptorA, void* b, long ib, long jb, nint descriptorB,
        int computeType, void* deviceWork, nuint deviceBytes, void* hostWork, nuint hostBytes, int* info);

    [LibraryImport(Library, EntryPoint = "cusolverMpSyevd_bufferSize")]
    public static partial int SyevdBufferSize(
        nint handle, byte* compz, int uplo, long n, void* a, long ia, long ja, nint descriptorA, void* eigenvalues,
        void* q, long iq, long jq, nint descriptorQ, int computeType, nuint* deviceBytes, nuint* hostBytes);

    [LibraryImport(Library, EntryPoint = "cusolverMpSyevd")]
    public static partial int Syevd(
        nint handle, byte* compz, int uplo, long n, void* a, long ia, long ja, nint descriptorA, void* eigenvalues,
        void* q, long iq, long jq, nint descriptorQ, int computeType, void* deviceWork, nuint deviceBytes, void* hostWork, nuint hostBytes, int* info);

    /// <summary>Loads cuSOLVERMp (<see cref="Optional"/>); on failure <paramref name="reason"/> says in one line why.</summary>
    public static bool TryLoad(out string reason) => Optional.TryLoad(out reason);

    /// <summary>Where cuSOLVERMp was loaded from; null before or without success.</summary>
    public static string? Location => Optional.Location;
}
