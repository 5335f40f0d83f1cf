using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Cuda;

/// <summary>
/// cuSOLVERMp (libcusolverMp.so.0), NVIDIA's multi-process, multi-GPU dense solver: the same 2-D
/// block-cyclic layout as ScaLAPACK with one rank per GPU, its matrices in device memory. Bindings for
/// what a GPU-node distributed provider needs: the handle, the device grid over a communicator, matrix
/// descriptors, NUMROC, Cholesky factorisation and solve, and the symmetric eigendecomposition.
/// Written from NVIDIA's cuSOLVERMp C API documentation; compiled, but not yet run on a GPU
/// (none was available where they were written). The communicator is the release's own: a
/// <c>cal_comm_t</c> (CAL) before cuSOLVERMp 0.7, an <c>ncclComm_t</c> from it; both are pointers.
/// Every function returns a cusolverStatus_t (0 = success); <c>info</c> arguments are device pointers.
/// </summary>
internal static unsafe partial class CusolverMpNative
{
    /// <summary>The soname of cuSOLVERMp's releases so far.</summary>
    public const string Library = "libcusolverMp.so.0";

    /// <summary>cudaDataType CUDA_R_64F.</summary>
    public const int Double = 1;

    /// <summary>cublasFillMode_t CUBLAS_FILL_MODE_LOWER.</summary>
    public const int Lower = 0;

    /// <summary>cusolverMpGridMapping_t CUSOLVERMP_GRID_MAPPING_ROW_MAJOR (ScaLAPACK's "Row" order).</summary>
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

    /// <summary>
    /// Loads cuSOLVERMp from the directories the CUDA resolver searches (the override, the default
    /// loader, the toolkit, LD_LIBRARY_PATH, pip's NVIDIA wheels): once loaded by path, the bindings'
    /// bare soname resolves to it. On failure <paramref name="reason"/> says in one line why.
    /// </summary>
    public static bool TryLoad(out string reason)
    {
        var directories = CudaLibraryResolver.SearchDirectories(
            Environment.GetEnvironmentVariable(CudaLibraryResolver.LibraryDirectoryVariable), Environment.GetEnvironmentVariable("LD_LIBRARY_PATH"), CudaLibraryResolver.EnumerateDirectories);
        if (CudaLibraryResolver.LoadFirst(CudaLibraryResolver.CandidatePaths([Library], directories), out var errors) is { } loaded)
        {
            reason = "";
            Location = loaded.Location;
            return true;
        }

        reason = $"cuSOLVERMp ({Library}, NVIDIA's HPC SDK or the nvidia-cusolvermp wheel) is not installed: "
            + CudaLibraryResolver.NotFound([Library], Environment.GetEnvironmentVariable(CudaLibraryResolver.LibraryDirectoryVariable), Environment.GetEnvironmentVariable("LD_LIBRARY_PATH"), directories, errors);
        return false;
    }

    /// <summary>Where cuSOLVERMp was loaded from; null before or without success.</summary>
    public static string? Location { get; private set; }
}
