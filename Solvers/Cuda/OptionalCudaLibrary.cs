namespace GpuNngp.Solvers.Cuda;

/// <summary>
/// A CUDA library that only the GPU ranks need (cuSOLVERMp, NCCL, the CUDA runtime): loaded by path
/// from the directories the CUDA resolver searches (the override, the default loader, the toolkit,
/// LD_LIBRARY_PATH, pip's NVIDIA wheels), so that the bindings' bare soname then resolves to it.
/// Where none loads, the reason is one line naming the library and where it was looked for.
/// </summary>
/// <param name="fileNames">The sonames to try, newest first.</param>
/// <param name="description">What it is and where it comes from, e.g. "NCCL (libnccl2 or the nvidia-nccl wheel)".</param>
internal sealed class OptionalCudaLibrary(IReadOnlyList<string> fileNames, string description)
{
    private readonly Lock _gate = new();

    /// <summary>The sonames tried, newest first.</summary>
    public IReadOnlyList<string> FileNames { get; } = fileNames;

    /// <summary>Where it was loaded from; null before or without success.</summary>
    public string? Location { get; private set; }

    /// <summary>The loaded library's handle; 0 before or without success.</summary>
    public nint Handle { get; private set; }

    /// <summary>Loads it once; on failure <paramref name="reason"/> says in one line why.</summary>
    public bool TryLoad(out string reason)
    {
        lock (_gate)
        {
            reason = "";
            if (Location is not null)
            {
                return true;
            }

            string? overrideDirectory = Environment.GetEnvironmentVariable(CudaLibraryResolver.LibraryDirectoryVariable);
            string? ldLibraryPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            var directories = CudaLibraryResolver.SearchDirectories(overrideDirectory, ldLibraryPath, CudaLibraryResolver.EnumerateDirectories);
            if (CudaLibraryResolver.LoadFirst(CudaLibraryResolver.CandidatePaths(FileNames, directories), out var errors) is { } loaded)
            {
                Location = loaded.Location;
                Handle = loaded.Handle;
                return true;
            }

            reason = $"{description} is not installed: " + CudaLibraryResolver.NotFound(FileNames, overrideDirectory, ldLibraryPath, directories, errors);
            return false;
        }
    }
}
