using GpuNngp.Engine.Gpu;
using Xunit;

namespace GpuNngp.Engine.Tests.Gpu;

/// <summary>The device-memory arithmetic, checked on the CPU (no GPU needed).</summary>
public sealed class GpuMemoryPlanTests
{
    private const long H100Free = 79_100_000_000;

    [Fact]
    public void TooLargeN_SaysHowManyBytesAreNeededAndHowManyAreFree()
    {
        var error = Assert.Throws<NngpInputException>(() => GpuMemoryPlan.CheckFit(120_000, 784, 10, 3, H100Free));
        Assert.StartsWith("N = 120,000 training points need 115.2 GB for K_DD (plus ", error.Message, StringComparison.Ordinal);
        Assert.Contains("but the GPU has 79.1 GB free", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FiftyThousandPoints_FitOnAnH100()
    {
        GpuMemoryPlan.CheckFit(50_000, 784, 10, 3, H100Free);
        Assert.Equal(20_000_000_000, GpuMemoryPlan.KernelMatrixBytes(50_000));
    }

    [Fact]
    public void TheSideBuffersCountToo()
    {
        // K_DD alone fits, K_DD + X + workspace does not.
        long free = GpuMemoryPlan.KernelMatrixBytes(1000) + GpuMemoryPlan.Reserve;
        Assert.Throws<NngpInputException>(() => GpuMemoryPlan.CheckFit(1000, 784, 10, 3, free));
        GpuMemoryPlan.CheckFit(1000, 784, 10, 3, free + GpuMemoryPlan.FitSideBytes(1000, 784, 10, 3));
    }

    [Fact]
    public void TestTile_IsSizedFromTheFreeMemory_AndCappedAtM()
    {
        // After a 50k fit about 59 GB are free: the whole 10k test set goes through in one tile.
        Assert.Equal(10_000, GpuMemoryPlan.TestTile(50_000, 784, 10, 3, 10_000, 59_000_000_000));
        int tile = GpuMemoryPlan.TestTile(50_000, 784, 10, 3, 1_000_000, 4_000_000_000);
        long perPoint = GpuMemoryPlan.BytesPerTestPoint(50_000, 784, 10, 3);
        Assert.InRange(tile * perPoint, 0.85 * (4_000_000_000 - GpuMemoryPlan.Reserve), 0.9 * (4_000_000_000 - GpuMemoryPlan.Reserve));
    }

    [Fact]
    public void TestTile_WithNoRoomForOneColumn_IsAClearError()
    {
        var error = Assert.Throws<NngpInputException>(() => GpuMemoryPlan.TestTile(50_000, 784, 10, 3, 10, GpuMemoryPlan.Reserve));
        Assert.Contains("for one test point", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KernelMatrix_TooLarge_IsAClearError()
    {
        var error = Assert.Throws<NngpInputException>(() => GpuMemoryPlan.CheckKernel(100_000, 100_000, 784, 3, H100Free));
        Assert.StartsWith("a 100,000×100,000 kernel needs 80.0 GB for the matrix", error.Message, StringComparison.Ordinal);
    }
}
