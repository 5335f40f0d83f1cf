using Xunit;
using GpuNngp.Solvers.Cuda;

namespace GpuNngp.Engine.Tests.Cuda;

public sealed class CudaDriverResolverTests
{
    [Fact]
    public void InstallIsIdempotent()
    {
        CudaDriverResolver.Install();
        CudaDriverResolver.Install();
    }

    [Theory]
    [InlineData("cuda", true)]
    [InlineData("libcuda", true)]
    [InlineData("libcuda.so", true)]
    [InlineData("cudart", false)]
    [InlineData("cublas", false)]
    [InlineData("nvcuda", false)]
    public void MapsOnlyTheDriverImportNames(string name, bool expected) =>
        Assert.Equal(expected, CudaDriverResolver.IsDriverImportName(name));

    [Fact]
    public void SonameFirst()
    {
        Assert.Equal("libcuda.so.1", CudaDriverResolver.DriverCandidates[0]);
        Assert.All(CudaDriverResolver.DriverCandidates, c => Assert.EndsWith("libcuda.so.1", c, StringComparison.Ordinal));
    }

    [Fact]
    public void TryLoadEitherLoadsOrSaysWhyInOneLine()
    {
        if (CudaDriverResolver.TryLoad(out var reason))
        {
            Assert.Null(reason);
            return;
        }
        Assert.NotNull(reason);
        Assert.StartsWith("libcuda.so.1 (the NVIDIA driver) not found", reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', reason);
    }
}
