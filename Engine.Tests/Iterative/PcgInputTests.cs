using GpuNngp.Engine.Tests.Cli;
using Xunit;

namespace GpuNngp.Engine.Tests.Iterative;

/// <summary>What PCG refuses, in one line naming the option, before any work; what it cannot do; and cancellation.</summary>
public sealed class PcgInputTests
{
    private static readonly Network Relu3 = Nngp.FullyConnected(3, Nngp.Relu(), 1.6, 0.1);

    private static NngpInputException Refused(FitOptions options, Network? network = null)
    {
        var x = PcgSolverTests.Random(30, 4, 1);
        var y = PcgSolverTests.Random(30, 2, 2);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        return Assert.Throws<NngpInputException>(() => engine.Fit(network ?? Relu3, x, y, options, TestContext.Current.CancellationToken));
    }

    private static FitOptions With(Func<PcgOptions, PcgOptions> change) => PcgSolverTests.Pcg(1e-2, KernelStorage.Fp32, rank: 10) is var o ? o with { Pcg = change(o.Pcg) } : null!;

    [Theory]
    [InlineData(0.0, "PcgOptions.Tolerance must be in (0, 1), got 0")]
    [InlineData(-1e-6, "PcgOptions.Tolerance must be in (0, 1), got -1E-06")]
    [InlineData(double.NaN, "PcgOptions.Tolerance must be in (0, 1), got NaN")]
    [InlineData(1.0, "PcgOptions.Tolerance must be in (0, 1), got 1")]
    public void ATolerance_OutsideZeroToOne_IsRefused(double tolerance, string message)
    {
        var e = Refused(With(p => p with { Tolerance = tolerance }));
        Assert.Equal(message, e.Message);
        Assert.Equal("tolerance", e.Parameter);
    }

    [Fact]
    public void OtherBadOptions_AreRefused_NamingTheOption()
    {
        Assert.Equal("PcgOptions.MaxIterations must be ≥ 1, got 0", Refused(With(p => p with { MaxIterations = 0 })).Message);
        Assert.Equal("PcgOptions.PreconditionerRank must be between 0 and the 30 training points, got 31", Refused(With(p => p with { PreconditionerRank = 31 })).Message);
        Assert.Equal("PcgOptions.Probes must be ≥ 1, got 0", Refused(With(p => p with { Probes = 0 })).Message);
        Assert.Equal("PcgOptions.KernelStorage is not a KernelStorage (7)", Refused(With(p => p with { KernelStorage = (KernelStorage)7 })).Message);
        Assert.Equal("FitOptions.Pcg must not be null (PcgOptions.Default is the default)", Refused(new FitOptions { Noise = 1e-2, Solver = SolverKind.Pcg, Pcg = null! }).Message);
        Assert.StartsWith("FitOptions.Noise must be > 0 with Solver = Pcg", Refused(PcgSolverTests.Pcg(0, KernelStorage.Fp32, rank: 10)).Message);
        var conv = Nngp.Serial(Nngp.Conv(2, 2, 1.5, 0.1), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1.5, 0.1)).OnImages(2, 2, 1);
        Assert.StartsWith("FitOptions.Solver = Pcg needs a fully connected", Refused(PcgSolverTests.Pcg(1e-2, KernelStorage.Fp32, rank: 10), conv).Message);
    }

    [Fact]
    public void APcgPosterior_RefusesTheCovarianceAndSaving()
    {
        var x = PcgSolverTests.Random(30, 4, 1);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var posterior = engine.Fit(Relu3, x, PcgSolverTests.Random(30, 2, 2), PcgSolverTests.Pcg(1e-2, KernelStorage.Recompute, rank: 5), TestContext.Current.CancellationToken);
        Assert.StartsWith("a PCG posterior predicts means and variances", Assert.Throws<NngpInputException>(() => posterior.PredictCovariance(x, cancellationToken: TestContext.Current.CancellationToken)).Message);
        Assert.StartsWith("a PCG posterior holds no factorisation to save", Assert.Throws<NngpInputException>(() => posterior.Save(new MemoryStream())).Message);
    }

    [Fact]
    public void TooFewIterations_AreRefused_WithTheResidualReached()
    {
        var (x, y, _) = PcgSolverTests.Mnist(200, 1);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var e = Assert.Throws<NngpNumericalException>(() => engine.Fit(Relu3, x, y, With(p => p with { MaxIterations = 3, PreconditionerRank = 0 }), TestContext.Current.CancellationToken));
        Assert.StartsWith("PCG (mean) did not reach the relative residual 1E-10 in 3 iterations", e.Message);
    }

    [Fact]
    public void Cancelling_DuringTheIterations_StopsTheFit()
    {
        var (x, y, _) = PcgSolverTests.Mnist(200, 1);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        int seen = 0;
        var cancelAtThree = new SynchronousIterations(i =>
        {
            seen = i.Iteration;
            if (i.Iteration == 3)
            {
                cancellation.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => engine.Fit(Relu3, x, y, With(p => p with { IterationProgress = cancelAtThree }), cancellation.Token));
        Assert.Equal(3, seen);

        // A token cancelled before the call stops it before any work.
        Assert.ThrowsAny<OperationCanceledException>(() => engine.Fit(Relu3, x, y, With(p => p), new CancellationToken(canceled: true)));
    }

    [Theory]
    [InlineData("--tolerance", "0", "error: --tolerance must be in (0, 1), got 0")]
    [InlineData("--tolerance", "-1", "error: --tolerance must be in (0, 1), got -1")]
    [InlineData("--kernel-storage", "fp16", "error: --kernel-storage must be fp32 or recompute, got 'fp16'")]
    [InlineData("--preconditioner-rank", "-3", "error: --preconditioner-rank must be ≥ 0, got -3")]
    public void TheCommandLine_RefusesBadPcgValues_InOneLine(string flag, string value, string message)
    {
        var (code, _, error) = CliRunner.Run("evaluate", "--train-size", "20", "--test-size", "5", "--noise", "0.01", "--solver", "pcg", flag, value);
        Assert.Equal(2, code);
        Assert.Equal(message, error.Trim());
    }

    [Fact]
    public void TheCommandLine_RefusesPcgFlagsWithoutPcg_AndAnUnknownSolver()
    {
        var (code, _, error) = CliRunner.Run("evaluate", "--train-size", "20", "--tolerance", "1e-6");
        Assert.Equal(2, code);
        Assert.Equal("error: --tolerance applies only with --solver pcg", error.Trim());
        (code, _, error) = CliRunner.Run("evaluate", "--train-size", "20", "--solver", "lu");
        Assert.Equal(2, code);
        Assert.Equal("error: --solver must be cholesky or pcg, got 'lu'", error.Trim());
    }

    [Fact]
    public void TheCommandLine_FitsByPcg_AndPrintsIterationsWithTheirResidual()
    {
        var (code, output, error) = CliRunner.Run("evaluate", "--train-size", "200", "--test-size", "50", "--depth", "3", "--noise", "0.01", "--device", "cpu", "--solver", "pcg", "--tolerance", "1e-6", "--preconditioner-rank", "20");
        Assert.True(code == 0, error);
        Assert.Matches(@"pcg mean: iteration 1, relative residual [0-9.E+-]+ \(", output);
        Assert.Contains("mean predictive variance: not computed", output);
        Assert.Matches(@"pcg: +\d+ iterations", output);
    }

    /// <summary>An <see cref="IProgress{T}"/> called on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousIterations(Action<PcgIteration> report) : IProgress<PcgIteration>
    {
        public void Report(PcgIteration value) => report(value);
    }
}
