using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Tests.Backends;
using GpuNngp.Engine.Tests.Cli;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Memory;

/// <summary>
/// Sizes that cannot fit are refused before any work, with the bytes needed and available: the
/// host plan's arithmetic, MemAvailable's parsing, the library's entries with an injected
/// MemAvailable, and the CLI.
/// </summary>
public sealed class MemoryRefusalTests
{
    /// <summary>This machine: 24 GiB of RAM, of which at most that much is ever available.</summary>
    private const long TwentyFourGibibytes = 24L << 30;

    private static readonly IHostLinearAlgebra Native = HostLinearAlgebra.Native(out _) ?? HostLinearAlgebra.Managed;

    [Fact]
    public void SixtyThousandPoints_AreRefused_OnATwentyFourGibibyteHost()
    {
        var error = Assert.Throws<NngpInputException>(() => MemoryPlan.CheckFit(CpuProvider.ModelFor(NativeOrSkip()), TwentyFourGibibytes, 60_000, 784, 10, 1));
        Assert.StartsWith("N = 60,000 training points need 28.8 GB for K_DD (plus ", error.Message, StringComparison.Ordinal);
        Assert.Contains("but the host has 25.8 GB available (MemAvailable); use fewer training points", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void FiftyThousandPoints_FitInTwentyTwoGigabytes_WithTheNativeProvider()
    {
        MemoryPlan.CheckFit(CpuProvider.ModelFor(NativeOrSkip()), 22_000_000_000, 50_000, 784, 10, 1);
        long needed = MemoryPlan.SquareBytes(50_000) + MemoryPlan.FitSideBytes(CpuProvider.ModelFor(NativeOrSkip()), 50_000, 784, 10, 1);
        Assert.Throws<NngpInputException>(() => MemoryPlan.CheckFit(CpuProvider.ModelFor(NativeOrSkip()), needed - 1, 50_000, 784, 10, 1));
        MemoryPlan.CheckFit(CpuProvider.ModelFor(NativeOrSkip()), needed, 50_000, 784, 10, 1);
    }

    [Fact]
    public void UnknownAvailableMemory_RefusesNothing()
    {
        MemoryPlan.CheckFit(CpuProvider.ModelFor(NativeOrSkip()), null, 60_000, 784, 10, 1);
        MemoryPlan.CheckKernel(CpuProvider.ModelFor(NativeOrSkip()), null, null, 60_000, 60_000, 784, 1, 1);
    }

    [Fact]
    public void ManagedProvider_CountsItsCopy_AndRefusesPastItsArrays_NamingTheFix()
    {
        var managed = HostLinearAlgebra.Managed;
        long native = MemoryPlan.SquareBytes(10_000) + MemoryPlan.FitSideBytes(CpuProvider.ModelFor(NativeOrSkip()), 10_000, 784, 10, 1);
        Assert.Throws<NngpInputException>(() => MemoryPlan.CheckFit(CpuProvider.ModelFor(managed), native, 10_000, 784, 10, 1));
        MemoryPlan.CheckFit(CpuProvider.ModelFor(managed), native + MemoryPlan.SquareBytes(10_000), 10_000, 784, 10, 1);

        MemoryPlan.CheckFit(CpuProvider.ModelFor(managed), null, 46_340, 784, 10, 1);
        var error = Assert.Throws<NngpInputException>(() => MemoryPlan.CheckFit(CpuProvider.ModelFor(managed), null, 46_341, 784, 10, 1));
        Assert.Contains("install libopenblas0-pthread", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("N = 46,341 training points: managed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KernelAndInputGram_AreRefusedAlike()
    {
        var kernel = Assert.Throws<NngpInputException>(() => MemoryPlan.CheckKernel(CpuProvider.ModelFor(NativeOrSkip()), 10_000_000_000, null, 50_000, 50_000, 784, 3, 1));
        Assert.StartsWith("a 50,000×50,000 kernel needs 20.0 GB for the matrix (plus ", kernel.Message, StringComparison.Ordinal);
        Assert.Contains("but the host has 10.0 GB available (MemAvailable)", kernel.Message, StringComparison.Ordinal);
        var gram = Assert.Throws<NngpInputException>(() => MemoryPlan.CheckInputGram(CpuProvider.ModelFor(NativeOrSkip()), 20_000_000_000, 50_000, 10_000, 784));
        Assert.StartsWith("caching the input Gram of N = 50,000 training points needs 24.0 GB for K⁰_DD and K⁰_DV", gram.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MemAvailable_IsReadInBytes_AndMissingIsUnknown()
    {
        Assert.Equal(23_740_716L * 1024, HostMemory.Parse(["MemTotal:       25165824 kB", "MemFree:         1000000 kB", "MemAvailable:   23740716 kB"]));
        Assert.Null(HostMemory.Parse(["MemTotal:       25165824 kB"]));
        Assert.Null(HostMemory.Parse(["MemAvailable:   garbage kB"]));
        Assert.Null(HostMemory.Available(Path.Combine(Path.GetTempPath(), "no-such-meminfo-" + Guid.NewGuid().ToString("N"))));
        if (File.Exists(HostMemory.MemInfoPath))
        {
            Assert.InRange(HostMemory.Available()!.Value, 1L << 20, 1L << 50);
        }
    }

    [Fact]
    public void Library_RefusesAFitItCannotHold_BeforeAnyWork()
    {
        // A 60,000 × 1 input set is small; its 28.8 GB kernel is not.
        var x = Matrix<double>.Build.Dense(60_000, 1, (i, _) => 1 + (i % 7));
        var y = Matrix<double>.Build.Dense(60_000, 1, (i, _) => i % 2);
        long? probed = null;
        using var engine = NngpEngine.Create(DeviceKind.Cpu, Native, () => probed = TwentyFourGibibytes);
        var network = Nngp.FullyConnected(1, Nngp.Relu(), 1.45, 0.28);
        var error = Assert.Throws<NngpInputException>(() => engine.Fit(network, x, y, cancellationToken: TestContext.Current.CancellationToken));
        Assert.StartsWith("N = 60,000 training points need 28.8 GB for K_DD", error.Message, StringComparison.Ordinal);
        Assert.Equal(TwentyFourGibibytes, probed);

        Assert.Throws<NngpInputException>(() => engine.CheckFitMemory(60_000));
        Assert.Throws<NngpInputException>(() => engine.CacheInputGram(x));
        Assert.Throws<NngpInputException>(() => engine.HostKernel(network, x, cancellationToken: TestContext.Current.CancellationToken));
        engine.CheckFitMemory(10_000);
    }

    [Fact]
    public void Library_KernelAsMathNet_RefusesPastItsLimit_AndHostKernelAgreesWithIt()
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu, Native, () => null);
        var network = Nngp.FullyConnected(2, Nngp.Erf(), 1.3, 0.1);
        var wide = Matrix<double>.Build.Dense(46_341, 1, 1.0);
        var error = Assert.Throws<NngpInputException>(() => engine.Kernel(network, wide, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("NngpEngine.HostKernel", error.Message, StringComparison.Ordinal);

        var x1 = BackendContractTests.RandomMatrix(30, 4, seed: 40);
        var x2 = BackendContractTests.RandomMatrix(11, 4, seed: 41);
        using var square = engine.HostKernel(network, x1, cancellationToken: TestContext.Current.CancellationToken);
        using var cross = engine.HostKernel(network, x1, x2, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(engine.Kernel(network, x1, cancellationToken: TestContext.Current.CancellationToken), square.ToMatrix());
        Assert.Equal(engine.Kernel(network, x1, x2, cancellationToken: TestContext.Current.CancellationToken), cross.ToMatrix());
    }

    [Fact]
    public void Cli_RefusesATrainingSizeNoMemoryHolds_WithExitTwo_BeforeReadingTheData()
    {
        // 3,000,000 points need 72 TB: refused on any machine. The data set does not exist, so a
        // memory error (not "not found") proves the refusal came before any data was read.
        Assert.SkipWhen(HostMemory.Available() is null, "no /proc/meminfo: the host's available memory is unknown, so nothing is refused");
        string missing = Path.Combine(Path.GetTempPath(), "no-such-dataset-" + Guid.NewGuid().ToString("N"));
        var (code, output, error) = CliRunner.Run("evaluate", "--dataset", missing, "--train-size", "3000000", "--test-size", "1000", "--depth", "1", "--device", "cpu");
        Assert.Equal(2, code);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        AssertRefusal(line, "error: N = 3,000,000 training points", "need 72,000.0 GB for K_DD (plus ");
        Assert.DoesNotContain("internal error", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_RefusesSixtyThousandFashionMnistPoints_WhereTheyDoNotFit()
    {
        long? available = HostMemory.Available();
        Assert.SkipWhen(available is null || available > MemoryPlan.SquareBytes(60_000),
            $"60,000 points fit in this host's {available} available bytes (the 24 GiB CI machine refuses them)");
        var (code, _, error) = CliRunner.Run("evaluate", "--dataset", "fashion-mnist", "--train-size", "60000", "--test-size", "1000", "--depth", "1", "--device", "cpu");
        Assert.Equal(2, code);
        AssertRefusal(error, "error: N = 60,000 training points", "need 28.8 GB for K_DD");
    }

    /// <summary>
    /// The memory refusal, or under GPUNNGP_HOST_BLAS=managed the managed provider's own limit
    /// (checked first: no memory would help it), which names the fix instead.
    /// </summary>
    private static void AssertRefusal(string line, string subject, string memoryPart)
    {
        if (HostLinearAlgebra.Default is Solvers.Host.ManagedLinearAlgebra)
        {
            Assert.StartsWith(subject + ": managed", line, StringComparison.Ordinal);
            Assert.Contains("install libopenblas0-pthread", line, StringComparison.Ordinal);
            return;
        }

        Assert.StartsWith($"{subject} {memoryPart}", line, StringComparison.Ordinal);
        Assert.Contains("available (MemAvailable); use fewer training points", line, StringComparison.Ordinal);
    }

    private static IHostLinearAlgebra NativeOrSkip()
    {
        Assert.SkipWhen(HostLinearAlgebra.Native(out string? reason) is null, $"no native BLAS: {reason}");
        return Native;
    }
}
