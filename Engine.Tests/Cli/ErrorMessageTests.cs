using GpuNngp.Cli.Output;
using GpuNngp.Engine.Tests.Gpu;
using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>
/// The library's messages name API parameters; the command line's name its flags: the one mapping
/// (<see cref="ErrorMessages"/>) turns the first into the second.
/// </summary>
public sealed class ErrorMessageTests
{
    [Fact]
    public void TheNoiseParameter_BecomesTheNoiseFlag()
    {
        var e = new NngpNumericalException("the kernel matrix is not positive definite; add observation noise (the noise parameter) or remove duplicate training points", "noise");
        Assert.Equal("error: the kernel matrix is not positive definite; add observation noise (--noise) or remove duplicate training points", ErrorMessages.Line(e));
    }

    [Theory]
    [InlineData("device = DeviceKind.Gpu: no usable GPU: no CUDA driver", "device", "error: --device gpu: no usable GPU: no CUDA driver")]
    [InlineData("N = 9 training points need 1 GB; use fewer training points or the CPU (DeviceKind.Cpu)", null, "error: N = 9 training points need 1 GB; use fewer training points or the CPU (--device cpu)")]
    [InlineData("r.csv exists: continue that search with SearchSettings.Resume, or name another file", "resume", "error: r.csv exists: continue that search with --resume, or name another file")]
    [InlineData("mnist10k is one pool: use SplitProtocol.First", "split", "error: mnist10k is one pool: use --split first")]
    public void ApiNames_BecomeFlags(string message, string? parameter, string line)
    {
        NngpException e = parameter is null ? new NngpInputException(message) : new NngpInputException(message, parameter);
        Assert.Equal(line, ErrorMessages.Line(e));
    }

    [Fact]
    public void AnErrorAboutAParameter_ThatDoesNotMentionItsFlag_NamesItAtTheEnd()
    {
        Assert.Equal("error: the training size must be at least 1, got 0 (--train-size)", ErrorMessages.Line(new NngpInputException("the training size must be at least 1, got 0", "trainSize")));
        Assert.Equal("error: x.npy: not found", ErrorMessages.Line(new NngpInputException("x.npy: not found", "x"))); // no one flag: --train-x, --x1, ... by command
    }

    [Fact]
    public void EveryKindOfLibraryError_AndACudaFailure_IsReported_ButNotAnInternalError()
    {
        Assert.True(ErrorMessages.IsReported(new NngpInputException("bad")));
        Assert.True(ErrorMessages.IsReported(new NngpNumericalException("not positive definite")));
        Assert.True(ErrorMessages.IsReported(new NonFiniteResultException("NaN")));
        Assert.True(ErrorMessages.IsReported(new NngpDeviceException("no GPU")));
        Assert.True(ErrorMessages.IsReported(new CudaException("cusolverDnDpotrf", 7)));
        Assert.False(ErrorMessages.IsReported(new InvalidOperationException("a bug")));
    }

    [Fact]
    public void TheGpuAskedForWhereThereIsNone_IsOneLineNamingTheFlag_ExitCodeTwo()
    {
        Assert.SkipWhen(GpuTestSupport.UnavailableReason is null, "a GPU is usable here: asking for it succeeds");
        var (code, _, error) = CliRunner.Run("evaluate", "--train-size", "20", "--test-size", "5", "--device", "gpu");
        FailureTests.AssertOneLineError(code, error, "error: --device gpu: no usable GPU: ");
    }

    [Fact]
    public void ThePaperSplitOfMnist10k_TellsTheUserTheSplitFlag()
    {
        var (code, _, error) = CliRunner.Run("evaluate", "--dataset", "mnist10k", "--split", "paper", "--train-size", "20", "--test-size", "5", "--device", "cpu");
        FailureTests.AssertOneLineError(code, error, "use --split first");
    }

    [Fact]
    public void ASizeOutOfRange_NamesItsFlag()
    {
        var (code, _, error) = CliRunner.Run("evaluate", "--dataset", "mnist10k", "--train-size", "0", "--test-size", "5", "--device", "cpu");
        FailureTests.AssertOneLineError(code, error, "training size must be at least 2, got 0 (--train-size)");
    }
}
