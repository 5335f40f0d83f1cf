using GpuNngp.Solvers.Cuda;

namespace GpuNngp.Engine.Distributed;

/// <summary>
/// The libraries the GPU ranks need beyond one GPU's (driver, cuBLAS, cuSOLVER): cuSOLVERMp, NCCL and
/// the CUDA runtime, loaded and checked on every rank before any device work.
/// </summary>
internal static class GpuRankLibraries
{
    /// <summary>Null when all load; otherwise one line: the first missing library's reason, then the names of any others missing.</summary>
    public static string? Missing()
    {
        (OptionalCudaLibrary Library, string Name)[] needed =
        [
            (CusolverMpNative.Optional, "libcusolverMp"),
            (NcclNative.Optional, "libnccl"),
            (CudaRuntimeNative.Optional, "libcudart"),
        ];
        string? first = null;
        var others = new List<string>();
        foreach (var (library, name) in needed)
        {
            if (library.TryLoad(out string reason))
            {
                continue;
            }

            if (first is null)
            {
                first = reason;
            }
            else
            {
                others.Add(name);
            }
        }

        return first is null || others.Count == 0 ? first : $"{first} (also missing: {string.Join(", ", others)})";
    }
}
