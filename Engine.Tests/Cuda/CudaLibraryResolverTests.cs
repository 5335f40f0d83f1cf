using Xunit;
using GpuNngp.Solvers.Cuda;

namespace GpuNngp.Engine.Tests.Cuda;

public sealed class CudaLibraryResolverTests
{
    private static IEnumerable<string> NoDirectories(string path) => [];

    [Fact]
    public void OverrideDirectoryComesFirstThenDefaultLoaderThenToolkit()
    {
        var candidates = CudaLibraryResolver.CandidatePaths(
            CudaLibraryResolver.CublasFileNames, "/opt/cuda13/lib/", null, NoDirectories);

        Assert.Equal(
            [
                "/opt/cuda13/lib/libcublas.so.13",
                "/opt/cuda13/lib/libcublas.so.12",
                "libcublas.so.13",
                "libcublas.so.12",
                "/usr/local/cuda/lib64/libcublas.so.13",
                "/usr/local/cuda/lib64/libcublas.so.12",
                "/usr/local/cuda/targets/x86_64-linux/lib/libcublas.so.13",
                "/usr/local/cuda/targets/x86_64-linux/lib/libcublas.so.12",
            ],
            candidates);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void UnsetOverrideStartsWithTheDefaultLoader(string? overrideDirectory)
    {
        var directories = CudaLibraryResolver.SearchDirectories(overrideDirectory, null, NoDirectories);

        Assert.Equal(
            [CudaLibraryResolver.DefaultLoader, "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib"],
            directories);
    }

    [Fact]
    public void LdLibraryPathIsSplitEmptyEntriesSkippedAndDuplicatesKeepTheirFirstPlace()
    {
        var directories = CudaLibraryResolver.SearchDirectories(
            "/env/dir", ":/a/lib::/b/lib/:/usr/local/cuda/lib64: :/a/lib:/env/dir", NoDirectories);

        Assert.Equal(
            [
                "/env/dir",
                CudaLibraryResolver.DefaultLoader,
                "/usr/local/cuda/lib64",
                "/usr/local/cuda/targets/x86_64-linux/lib",
                "/a/lib",
                "/b/lib",
            ],
            directories);
    }

    [Fact]
    public void CudaThirteenNamesComeBeforeTwelveInEveryDirectory()
    {
        Assert.Equal(["libcublas.so.13", "libcublas.so.12"], CudaLibraryResolver.CublasFileNames);
        Assert.Equal(["libcusolver.so.12", "libcusolver.so.11"], CudaLibraryResolver.CusolverFileNames);

        var candidates = CudaLibraryResolver.CandidatePaths(
            CudaLibraryResolver.CusolverFileNames, null, "/x:/y", NoDirectories);
        for (var i = 0; i < candidates.Count; i += 2)
        {
            Assert.EndsWith("libcusolver.so.12", candidates[i], StringComparison.Ordinal);
            Assert.EndsWith("libcusolver.so.11", candidates[i + 1], StringComparison.Ordinal);
            Assert.Equal(Path.GetDirectoryName(candidates[i]), Path.GetDirectoryName(candidates[i + 1]));
        }
    }

    [Fact]
    public void CusolverIsPairedWithTheCublasOfTheSameRelease()
    {
        Assert.Equal("libcusolver.so.12", CudaLibraryResolver.CusolverFileNameFor("libcublas.so.13"));
        Assert.Equal("libcusolver.so.11", CudaLibraryResolver.CusolverFileNameFor("libcublas.so.12"));
        Assert.Throws<ArgumentException>(() => CudaLibraryResolver.CusolverFileNameFor("libcublas.so.11"));
    }

    [Fact]
    public void WheelDirectoriesAreFoundInAFakeTree()
    {
        var root = Directory.CreateTempSubdirectory("gpunngp-wheels-").FullName;
        try
        {
            string[] present =
            [
                "usr/local/lib/python3.11/dist-packages/nvidia/cublas/lib",
                "usr/local/lib/python3.11/dist-packages/nvidia/cusolver/lib",
                "usr/local/lib/python3.12/dist-packages/nvidia/cu13/lib",
                "usr/local/lib/python2.7/dist-packages/nvidia/cublas/lib",      // not python3*
                "usr/local/lib/python3.12/dist-packages/nvidia/cudnn/include",  // no lib
                "usr/lib/python3/dist-packages/nvidia/cublas/lib",
                "usr/lib/python3.11/dist-packages/nvidia/cublas/lib",           // pattern names python3 exactly
                "opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib",
                "opt/other/.venv/lib/python3.12/site-packages/nvidia/cublas",   // no lib
                "opt/novenv/lib/python3.12/site-packages/nvidia/cublas/lib",    // no .venv
            ];
            foreach (var path in present)
                Directory.CreateDirectory(Path.Combine(root, path));

            IEnumerable<string> Enumerate(string path)
            {
                var real = Path.Combine(root, path.TrimStart('/'));
                return Directory.Exists(real)
                    ? Directory.GetDirectories(real).Select(d => "/" + Path.GetRelativePath(root, d).Replace('\\', '/'))
                    : [];
            }

            var directories = CudaLibraryResolver.SearchDirectories("/override", "/ld/one", Enumerate);

            Assert.Equal(
                [
                    "/override",
                    CudaLibraryResolver.DefaultLoader,
                    "/usr/local/cuda/lib64",
                    "/usr/local/cuda/targets/x86_64-linux/lib",
                    "/ld/one",
                    "/usr/local/lib/python3.11/dist-packages/nvidia/cublas/lib",
                    "/usr/local/lib/python3.11/dist-packages/nvidia/cusolver/lib",
                    "/usr/local/lib/python3.12/dist-packages/nvidia/cu13/lib",
                    "/usr/lib/python3/dist-packages/nvidia/cublas/lib",
                    "/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib",
                ],
                directories);

            var candidates = CudaLibraryResolver.CandidatePaths(
                CudaLibraryResolver.CublasFileNames, "/override", "/ld/one", Enumerate);
            Assert.Equal("/override/libcublas.so.13", candidates[0]);
            Assert.Equal("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcublas.so.12", candidates[^1]);
            Assert.Equal(directories.Count * 2, candidates.Count);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("python3.12", "python3*", true)]
    [InlineData("python3", "python3*", true)]
    [InlineData("python2.7", "python3*", false)]
    [InlineData("cu13", "*", true)]
    [InlineData("lib", "lib", true)]
    [InlineData("lib64", "lib", false)]
    [InlineData("abcabd", "*ab*d", true)]
    [InlineData("abcabe", "*ab*d", false)]
    public void SegmentWildcards(string name, string pattern, bool expected) =>
        Assert.Equal(expected, CudaLibraryResolver.SegmentMatches(name, pattern));

    [Fact]
    public void ShortListNamesTheVersionsOnce()
    {
        Assert.Equal("libcublas.so.13/.12", CudaLibraryResolver.ShortList(CudaLibraryResolver.CublasFileNames));
        Assert.Equal("libcusolver.so.12", CudaLibraryResolver.ShortList(["libcusolver.so.12"]));
    }

    [Fact]
    public void NotFoundReasonIsOneLineNamingEveryPlace()
    {
        var directories = CudaLibraryResolver.SearchDirectories(null, "/ld/a::/ld/b", NoDirectories);
        var reason = CudaLibraryResolver.NotFound(
            CudaLibraryResolver.CublasFileNames, null, "/ld/a::/ld/b", directories, []);

        Assert.StartsWith("libcublas.so.13/.12 not found in $GPUNNGP_CUDA_LIB_DIR (unset), the default loader path, ", reason, StringComparison.Ordinal);
        Assert.Contains("/usr/local/cuda/lib64", reason, StringComparison.Ordinal);
        Assert.Contains("LD_LIBRARY_PATH (/ld/a::/ld/b)", reason, StringComparison.Ordinal);
        Assert.Contains("Python NVIDIA wheel directories (none present)", reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', reason);
    }

    [Fact]
    public void TryLoadEitherLoadsBothOrSaysWhyInOneLine()
    {
        CudaLibraryResolver.Install();
        CudaLibraryResolver.Install(); // idempotent

        if (CudaLibraryResolver.TryLoad(out var reason))
        {
            Assert.Null(reason);
            Assert.NotNull(CudaLibraryResolver.CublasLocation);
            Assert.NotNull(CudaLibraryResolver.CusolverLocation);
        }
        else
        {
            Assert.NotNull(reason);
            Assert.DoesNotContain('\n', reason);
            Assert.Contains("not found in", reason, StringComparison.Ordinal);
            // A second call gives the same answer without probing again.
            Assert.False(CudaLibraryResolver.TryLoad(out var again));
            Assert.Equal(reason, again);
        }
    }
}
