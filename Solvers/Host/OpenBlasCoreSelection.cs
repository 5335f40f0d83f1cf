using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace GpuNngp.Solvers.Host;

/// <summary>
/// OpenBLAS chooses its kernels from the CPU model when it loads, and a build older than the CPU
/// does not know it: Debian 12's OpenBLAS 0.3.21 on an Intel Xeon of family 6, model 207 (Emerald
/// Rapids) falls back to its Prescott (SSE3) kernels, and the Fashion-MNIST N = 10,000 factorisation
/// takes 16.6 s instead of 3.0 s with the SkylakeX kernels (measured 2026-12-01, docs/benchmarks.md).
/// Where the CPU has every AVX-512 subset the SkylakeX kernels use and the user has not chosen a core
/// (OPENBLAS_CORETYPE unset), GpuNngp asks OpenBLAS for SkylakeX before the library loads. A choice
/// the user made is never overridden.
/// </summary>
internal static partial class OpenBlasCoreSelection
{
    public const string Variable = "OPENBLAS_CORETYPE";

    public const string AvxFiveTwelveCore = "SkylakeX";

    /// <summary>The core set by <see cref="Apply"/> in this process, or null when it set none.</summary>
    public static string? Chosen { get; private set; }

    /// <summary>The core to ask for, given the user's setting and the CPU's AVX-512 support; null to leave OpenBLAS's own choice.</summary>
    public static string? Decide(string? userSetting, bool hasSkylakeXInstructions) =>
        string.IsNullOrEmpty(userSetting) && hasSkylakeXInstructions ? AvxFiveTwelveCore : null;

    /// <summary>F, CD, BW, DQ and VL: the AVX-512 subsets of OpenBLAS's SkylakeX kernels.</summary>
    public static bool HasSkylakeXInstructions =>
        Avx512F.IsSupported && Avx512CD.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;

    /// <summary>
    /// Sets OPENBLAS_CORETYPE in the process environment (libc's, which OpenBLAS reads) where
    /// <see cref="Decide"/> says so; overwriting, since Decide has seen the variable unset or empty.
    /// </summary>
    public static void Apply()
    {
        string? core = Decide(Environment.GetEnvironmentVariable(Variable), HasSkylakeXInstructions);
        if (core is not null && OperatingSystem.IsLinux() && SetEnvironment(Variable, core, 1) == 0)
        {
            Chosen = core;
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
