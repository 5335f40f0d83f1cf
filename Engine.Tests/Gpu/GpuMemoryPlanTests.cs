using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.Pipeline;
using Xunit;

namespace GpuNngp.Engine.Tests.Gpu;

/// <summary>The device-memory arithmetic, checked on the CPU (no GPU needed).</summary>
public sealed class GpuMemoryPlanTests
{
    private const long H100Free = 79_100_000_000;

    [Fact]
    public void TooLargeN_SaysHowManyBytesAreNeededAndHowManyAreFree()
    {
        var error = Assert.Throws<NngpInputException>(() => MemoryPlan.CheckFit(GpuProvider.Model, H100Free, 120_000, 784, 10, 3));
        Assert.StartsWith("N = 120,000 training points need 115.2 GB for K_DD (plus ", error.Message, StringComparison.Ordinal);
        Assert.Contains("but the GPU has 79.1 GB free", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FiftyThousandPoints_FitOnAnH100()
    {
        MemoryPlan.CheckFit(GpuProvider.Model, H100Free, 50_000, 784, 10, 3);
        Assert.Equal(20_000_000_000, MemoryPlan.SquareBytes(50_000));
    }

    [Fact]
    public void TheSideBuffersCountToo()
    {
        // K_DD alone fits, K_DD + X + workspace does not.
        long free = MemoryPlan.SquareBytes(1000) + GpuProvider.Model.Reserve;
        Assert.Throws<NngpInputException>(() => MemoryPlan.CheckFit(GpuProvider.Model, free, 1000, 784, 10, 3));
        MemoryPlan.CheckFit(GpuProvider.Model, free + MemoryPlan.FitSideBytes(GpuProvider.Model, 1000, 784, 10, 3) - GpuProvider.Model.Reserve, 1000, 784, 10, 3);
    }

    [Fact]
    public void TestTile_IsSizedFromTheFreeMemory_AndCappedAtM()
    {
        // After a 50k fit about 59 GB are free: the whole 10k test set goes through in one tile.
        Assert.Equal(10_000, MemoryPlan.TestTile(GpuProvider.Model, 59_000_000_000, 50_000, 784, 10, 3, 10_000));
        int tile = MemoryPlan.TestTile(GpuProvider.Model, 4_000_000_000, 50_000, 784, 10, 3, 1_000_000);
        long perPoint = MemoryPlan.BytesPerTestPoint(50_000, 784, 10, 3);
        Assert.InRange(tile * perPoint, 0.85 * (4_000_000_000 - GpuProvider.Model.Reserve), 0.9 * (4_000_000_000 - GpuProvider.Model.Reserve));
    }

    [Fact]
    public void TestTile_WithNoRoomForOneColumn_IsAClearError()
    {
        var error = Assert.Throws<NngpInputException>(() => MemoryPlan.TestTile(GpuProvider.Model, GpuProvider.Model.Reserve, 50_000, 784, 10, 3, 10));
        Assert.Contains("for one test point", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KernelMatrix_TooLarge_IsAClearError()
    {
        var error = Assert.Throws<NngpInputException>(() => MemoryPlan.CheckKernel(GpuProvider.Model, H100Free, null, 100_000, 100_000, 784, 3, 1));
        Assert.StartsWith("a 100,000×100,000 kernel needs 80.0 GB for the matrix", error.Message, StringComparison.Ordinal);
    }
}
