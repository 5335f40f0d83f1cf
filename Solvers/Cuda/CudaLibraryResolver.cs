using System.Reflection;
using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Cuda;

/// <summary>
/// Finds cuBLAS and cuSOLVER for the <c>[LibraryImport("cublas")]</c> / <c>[LibraryImport("cusolver")]</c>
/// bindings of this assembly: the sonames CUDA 13 and 12 ship (<c>libcublas.so.13/.12</c>,
/// <c>libcusolver.so.12/.11</c>), looked for in the directory named by <c>GPUNNGP_CUDA_LIB_DIR</c>, the
/// default loader path, the toolkit's usual directories, <c>LD_LIBRARY_PATH</c> and pip's NVIDIA wheels.
/// </summary>
/// <remarks>
/// <para>Candidates are tried directory by directory (the override first); inside one directory the newer
/// CUDA comes first. cuSOLVER is then taken from the same CUDA release as the cuBLAS that loaded
/// (<c>libcublas.so.13</c> with <c>libcusolver.so.12</c>, <c>libcublas.so.12</c> with <c>libcusolver.so.11</c>),
/// looked for first beside it.</para>
/// <para>Loading happens once, on the first <see cref="TryLoad"/> or the first native call, and is
/// thread-safe; a failed attempt is remembered with its reason and not repeated.</para>
/// </remarks>
internal static class CudaLibraryResolver
{
    /// <summary>The environment variable naming a directory searched before all others.</summary>
    public const string LibraryDirectoryVariable = "GPUNNGP_CUDA_LIB_DIR";

    /// <summary>The import name of cuBLAS in this assembly's bindings.</summary>
    public const string CublasImportName = "cublas";

    /// <summary>The import name of cuSOLVER in this assembly's bindings.</summary>
    public const string CusolverImportName = "cusolver";

    /// <summary>How the default loader (<c>dlopen</c> of the bare soname) appears in a search-directory list.</summary>
    public const string DefaultLoader = "";

    /// <summary>cuBLAS sonames in order of preference: CUDA 13, then CUDA 12.</summary>
    public static IReadOnlyList<string> CublasFileNames { get; } = ["libcublas.so.13", "libcublas.so.12"];

    /// <summary>cuSOLVER sonames in order of preference: CUDA 13's, then CUDA 12's.</summary>
    public static IReadOnlyList<string> CusolverFileNames { get; } = ["libcusolver.so.12", "libcusolver.so.11"];

    /// <summary>Fixed toolkit directories, searched after the default loader.</summary>
    public static IReadOnlyList<string> ToolkitDirectories { get; } =
        ["/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib"];

    /// <summary>Directory patterns of pip's NVIDIA wheels (<c>*</c> matches within one path segment).</summary>
    public static IReadOnlyList<string> WheelDirectoryPatterns { get; } =
    [
        "/usr/local/lib/python3*/dist-packages/nvidia/*/lib",
        "/usr/lib/python3/dist-packages/nvidia/*/lib",
        "/opt/*/.venv/lib/python3*/site-packages/nvidia/*/lib",
    ];

    private static readonly Lock Gate = new();
    private static bool _installed;
    private static bool _attempted;
    private static nint _cublas;
    private static nint _cusolver;
    private static string? _failure;

    /// <summary>Where cuBLAS was loaded from (a path, or a bare soname the default loader found); null before or without success.</summary>
    public static string? CublasLocation { get; private set; }

    /// <summary>Where cuSOLVER was loaded from; null before or without success.</summary>
    public static string? CusolverLocation { get; private set; }

    /// <summary>
    /// Installs the import resolver for this assembly. Idempotent and thread-safe; the native binding
    /// classes call it themselves before their first call.
    /// </summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (_installed)
                return;
            NativeLibrary.SetDllImportResolver(typeof(CudaLibraryResolver).Assembly, Resolve);
            _installed = true;
        }
    }

    /// <summary>
    /// Loads cuBLAS and cuSOLVER (once). On failure <paramref name="reason"/> says in one line why, e.g.
    /// <c>libcublas.so.13/.12 not found in $GPUNNGP_CUDA_LIB_DIR (unset), the default loader path, ...</c>.
    /// </summary>
    public static bool TryLoad(out string? reason)
    {
        Install();
        lock (Gate)
        {
            if (!_attempted)
            {
                _attempted = true;
                _failure = LoadBoth();
            }
            reason = _failure;
            return _failure is null;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != CublasImportName && libraryName != CusolverImportName)
            return 0;
        if (!TryLoad(out _))
            return 0; // the runtime then reports DllNotFoundException; TryLoad's reason says more
        return libraryName == CublasImportName ? _cublas : _cusolver;
    }

    // Called under Gate. Returns null on success, else the one-line reason.
    private static string? LoadBoth()
    {
        if (!OperatingSystem.IsLinux())
            return $"the cuBLAS/cuSOLVER bindings look for Linux sonames only (this is {RuntimeInformation.OSDescription})";

        var overrideDirectory = Environment.GetEnvironmentVariable(LibraryDirectoryVariable);
        var ldLibraryPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        var directories = SearchDirectories(overrideDirectory, ldLibraryPath, EnumerateDirectories);

        var cublas = LoadFirst(CandidatePaths(CublasFileNames, directories), out var cublasErrors);
        if (cublas is null)
            return NotFound(CublasFileNames, overrideDirectory, ldLibraryPath, directories, cublasErrors);

        var cusolverName = CusolverFileNameFor(Path.GetFileName(cublas.Value.Location));
        var cublasDirectory = Path.GetDirectoryName(cublas.Value.Location) ?? DefaultLoader;
        var cusolverDirectories = new List<string> { cublasDirectory };
        cusolverDirectories.AddRange(directories);
        var cusolver = LoadFirst(CandidatePaths([cusolverName], Distinct(cusolverDirectories)), out var cusolverErrors);
        if (cusolver is null)
        {
            // The cuBLAS handle stays loaded: the process keeps it whether or not the GPU path is used.
            return $"{NotFound([cusolverName], overrideDirectory, ldLibraryPath, directories, cusolverErrors)}"
                + $" (the cuSOLVER of the same CUDA release as {cublas.Value.Location})";
        }

        _cublas = cublas.Value.Handle;
        _cusolver = cusolver.Value.Handle;
        CublasLocation = cublas.Value.Location;
        CusolverLocation = cusolver.Value.Location;
        return null;
    }

    /// <summary>The cuSOLVER soname shipped with the CUDA release of the given cuBLAS soname.</summary>
    public static string CusolverFileNameFor(string cublasFileName) => cublasFileName switch
    {
        "libcublas.so.13" => "libcusolver.so.12",
        "libcublas.so.12" => "libcusolver.so.11",
        _ => throw new ArgumentException($"no known cuSOLVER pairs with '{cublasFileName}'", nameof(cublasFileName)),
    };

    /// <summary>
    /// The directories searched, in order: <paramref name="overrideDirectory"/> (when set), the default loader
    /// (<see cref="DefaultLoader"/>), <see cref="ToolkitDirectories"/>, each non-empty entry of
    /// <paramref name="ldLibraryPath"/>, then every directory matching <see cref="WheelDirectoryPatterns"/>.
    /// Duplicates keep their first place. Pure: the file system is seen only through
    /// <paramref name="enumerateDirectories"/>, which returns the full paths of a directory's subdirectories
    /// (nothing for a directory that does not exist).
    /// </summary>
    public static IReadOnlyList<string> SearchDirectories(
        string? overrideDirectory, string? ldLibraryPath, Func<string, IEnumerable<string>> enumerateDirectories)
    {
        ArgumentNullException.ThrowIfNull(enumerateDirectories);
        var list = new List<string>();
        if (!string.IsNullOrWhiteSpace(overrideDirectory))
            list.Add(Normalize(overrideDirectory.Trim()));
        list.Add(DefaultLoader);
        list.AddRange(ToolkitDirectories);
        if (!string.IsNullOrEmpty(ldLibraryPath))
        {
            foreach (var entry in ldLibraryPath.Split(':'))
            {
                if (!string.IsNullOrWhiteSpace(entry))
                    list.Add(Normalize(entry.Trim()));
            }
        }
        foreach (var pattern in WheelDirectoryPatterns)
            list.AddRange(ExpandPattern(pattern, enumerateDirectories));
        return Distinct(list);
    }

    /// <summary>
    /// Every candidate to hand to the loader, in order: for each directory, each file name of
    /// <paramref name="fileNames"/>; the <see cref="DefaultLoader"/> entry gives the bare soname.
    /// </summary>
    public static IReadOnlyList<string> CandidatePaths(IReadOnlyList<string> fileNames, IReadOnlyList<string> directories)
    {
        ArgumentNullException.ThrowIfNull(fileNames);
        ArgumentNullException.ThrowIfNull(directories);
        var list = new List<string>(fileNames.Count * directories.Count);
        foreach (var directory in directories)
        {
            foreach (var name in fileNames)
                list.Add(directory.Length == 0 ? name : Path.Combine(directory, name));
        }
        return list;
    }

    /// <summary>
    /// <see cref="CandidatePaths(IReadOnlyList{string}, IReadOnlyList{string})"/> over
    /// <see cref="SearchDirectories"/>: the whole pure candidate list from the environment's two values.
    /// </summary>
    public static IReadOnlyList<string> CandidatePaths(
        IReadOnlyList<string> fileNames, string? overrideDirectory, string? ldLibraryPath,
        Func<string, IEnumerable<string>> enumerateDirectories) =>
        CandidatePaths(fileNames, SearchDirectories(overrideDirectory, ldLibraryPath, enumerateDirectories));

    /// <summary>
    /// The directories matching <paramref name="pattern"/>, an absolute path whose segments may hold
    /// <c>*</c> (any run of characters within the segment). Matches are sorted ordinally per segment.
    /// </summary>
    public static IReadOnlyList<string> ExpandPattern(string pattern, Func<string, IEnumerable<string>> enumerateDirectories)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(enumerateDirectories);
        var current = new List<string> { "/" };
        foreach (var segment in pattern.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = new List<string>();
            foreach (var parent in current)
            {
                var matches = enumerateDirectories(parent)
                    .Where(child => SegmentMatches(Path.GetFileName(Path.TrimEndingDirectorySeparator(child)), segment))
                    .Select(Normalize)
                    .Order(StringComparer.Ordinal);
                next.AddRange(matches);
            }
            current = next;
            if (current.Count == 0)
                break;
        }
        return current;
    }

    /// <summary>Whether <paramref name="name"/> matches <paramref name="pattern"/>, where <c>*</c> matches any run of characters.</summary>
    public static bool SegmentMatches(string name, string pattern)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(pattern);
        // Iterative wildcard match with backtracking to the last '*'.
        int n = 0, p = 0, star = -1, mark = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && pattern[p] == name[n])
            {
                n++;
                p++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }

    /// <summary>"libcublas.so.13/.12": the first name whole, the others by the suffix after the shared stem.</summary>
    public static string ShortList(IReadOnlyList<string> fileNames)
    {
        ArgumentNullException.ThrowIfNull(fileNames);
        if (fileNames.Count == 0)
            return "";
        var first = fileNames[0];
        var stemEnd = first.LastIndexOf(".so", StringComparison.Ordinal);
        var stem = stemEnd < 0 ? "" : first[..(stemEnd + 3)];
        var parts = new List<string> { first };
        foreach (var name in fileNames.Skip(1))
            parts.Add(stem.Length > 0 && name.StartsWith(stem, StringComparison.Ordinal) ? name[stem.Length..] : name);
        return string.Join('/', parts);
    }

    /// <summary>The real directory enumeration: subdirectories of <paramref name="path"/>, nothing where it cannot be read.</summary>
    public static IEnumerable<string> EnumerateDirectories(string path)
    {
        try
        {
            return Directory.Exists(path) ? Directory.GetDirectories(path) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    internal readonly record struct Loaded(nint Handle, string Location);

    /// <summary>
    /// Loads the first candidate that loads. Full paths are tried only where the file exists; a file that
    /// exists but fails to load (a missing dependency, a wrong architecture) is reported in
    /// <paramref name="errors"/> with the loader's message.
    /// </summary>
    internal static Loaded? LoadFirst(IReadOnlyList<string> candidates, out List<string> errors)
    {
        errors = [];
        foreach (var candidate in candidates)
        {
            var bare = !candidate.Contains('/', StringComparison.Ordinal);
            if (bare)
            {
                if (NativeLibrary.TryLoad(candidate, out var handle))
                    return new Loaded(handle, candidate);
                continue;
            }
            if (!File.Exists(candidate))
                continue;
            try
            {
                return new Loaded(NativeLibrary.Load(candidate), candidate);
            }
            catch (DllNotFoundException e)
            {
                errors.Add($"{candidate}: {FirstLine(e.Message)}");
            }
            catch (BadImageFormatException e)
            {
                errors.Add($"{candidate}: {FirstLine(e.Message)}");
            }
        }
        return null;
    }

    internal static string NotFound(
        IReadOnlyList<string> fileNames, string? overrideDirectory, string? ldLibraryPath,
        IReadOnlyList<string> directories, IReadOnlyList<string> loadErrors)
    {
        var places = new List<string>
        {
            string.IsNullOrWhiteSpace(overrideDirectory)
                ? $"${LibraryDirectoryVariable} (unset)"
                : $"${LibraryDirectoryVariable} ({overrideDirectory})",
            "the default loader path",
        };
        places.AddRange(ToolkitDirectories);
        places.Add(string.IsNullOrEmpty(ldLibraryPath) ? "LD_LIBRARY_PATH (unset)" : $"LD_LIBRARY_PATH ({ldLibraryPath})");
        var fixedPlaces = new HashSet<string>(ToolkitDirectories, StringComparer.Ordinal) { DefaultLoader };
        if (!string.IsNullOrWhiteSpace(overrideDirectory))
            fixedPlaces.Add(Normalize(overrideDirectory.Trim()));
        if (!string.IsNullOrEmpty(ldLibraryPath))
        {
            foreach (var entry in ldLibraryPath.Split(':'))
            {
                if (!string.IsNullOrWhiteSpace(entry))
                    fixedPlaces.Add(Normalize(entry.Trim()));
            }
        }
        var wheels = directories.Where(d => !fixedPlaces.Contains(d)).ToList();
        places.Add(wheels.Count == 0
            ? "Python NVIDIA wheel directories (none present)"
            : $"Python NVIDIA wheel directories ({string.Join(", ", wheels)})");
        var message = $"{ShortList(fileNames)} not found in {string.Join(", ", places)}";
        if (loadErrors.Count > 0)
            message += $"; present but failed to load: {string.Join("; ", loadErrors)}";
        return message;
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }

    private static string Normalize(string directory)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(directory);
        return trimmed.Length == 0 ? directory : trimmed;
    }

    private static List<string> Distinct(List<string> list)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>(list.Count);
        foreach (var item in list)
        {
            if (seen.Add(item))
                result.Add(item);
        }
        return result;
    }
}
