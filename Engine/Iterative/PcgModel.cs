using System.Diagnostics;
using System.Globalization;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Pipeline;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Iterative;

/// <summary>
/// A training set fitted by preconditioned conjugate gradients (docs/mathematics.md, "Iterative
/// solves") over any <see cref="IComputeProvider"/>: no N×N FP64 buffer exists. The provider keeps X,
/// α and the preconditioner's basis; the kernel is recomputed tile by tile through the fit's
/// <see cref="IKernelSource"/> at every product, or stored once in FP32 on the host. α is solved for
/// the C outputs together with the log-likelihood's Rademacher probes in the same products, then
/// refined against the FP64 kernel; predictions are the dense path's K_*D·α, variances the same
/// solve on each test point's column K_D*. On MPI ranks (<see cref="RowPartition"/>) each rank
/// computes or stores only its own points' columns of K_DD and every product ends in an exact
/// gather, so the vectors, the preconditioner and every decision are the same on every rank.
/// Means alone are shared out the same way (each rank computes K_*D·α for its contiguous share of
/// the test points, then one exact gather); with variances every rank computes every test column,
/// the right-hand sides of the variance solves, which the ranks make together like the fit's.
/// </summary>
internal sealed class PcgModel : IPosteriorModel
{
    private readonly IComputeProvider _provider;
    private readonly RowPartition _rows;
    private readonly PcgOptions _options;
    private readonly int _n;
    private readonly int _dimension;
    private readonly int _outputs;
    private readonly Stack<IDisposable> _owned = new();
    private readonly PcgProgress _progress;
    private IKernelSource _source = null!;
    private PivotedCholeskyPreconditioner _preconditioner = null!;
    private KernelOperator _exact = null!;
    private KernelOperator _storage = null!;
    private ProviderBuffer _alpha = null!;
    private bool _disposed;

    private PcgModel(IComputeProvider provider, FitRequest request, RowPartition rows)
    {
        _provider = provider;
        _rows = rows;
        Request = request;
        _options = request.Options.Pcg;
        _n = request.X.RowCount;
        _dimension = request.X.ColumnCount;
        _outputs = request.Y.ColumnCount;
        Timings = new StageTimings { Progress = request.Options.Progress };
        // Progress from rank 0 only: the other ranks iterate in lockstep and would repeat it.
        _progress = rows.IsLead ? new PcgProgress(_options.IterationProgress, request.Options.Progress) : new PcgProgress(null, null);
    }

    public FitRequest Request { get; }

    public double LogMarginalLikelihood { get; private set; }

    /// <summary>Always 0: σε² &gt; 0 keeps A positive definite, and PCG adds nothing.</summary>
    public double Jitter => 0;

    public StageTimings Timings { get; }

    /// <summary>How the solve converged.</summary>
    public PcgSummary Summary { get; private set; } = null!;

    /// <summary>
    /// Checks what PCG needs (a Dense/φ network, σε² &gt; 0, the FP32 kernel's host memory) before any
    /// work, then fits; cancellable between tiles, pivots and iterations, freeing what it allocated.
    /// </summary>
    public static PcgModel Fit(IComputeProvider provider, FitRequest request, CancellationToken cancellationToken) =>
        Fit(provider, request, RowPartition.Whole(request.X.RowCount), cancellationToken);

    /// <summary>The fit on the rows <paramref name="rows"/> gives this process (every rank calls it alike, <paramref name="provider"/> its own CPU).</summary>
    public static PcgModel Fit(IComputeProvider provider, FitRequest request, RowPartition rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(rows);
        Check(request, rows);
        var model = new PcgModel(provider, request, rows);
        try
        {
            model.Solve(cancellationToken);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The refusals that need no work: network, noise, options, memory.</summary>
    internal static void Check(FitRequest request, RowPartition rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(request);
        int n = request.X.RowCount;
        PcgOptions options = request.Options.Pcg;
        options.Validate(n);
        if (request.Plan.FusedChain is null)
        {
            throw new NngpInputException("FitOptions.Solver = Pcg needs a fully connected (Dense/φ) network; fit convolutional networks with Solver = Cholesky", "solver");
        }

        if (!(request.Noise > 0))
        {
            throw new NngpInputException("FitOptions.Noise must be > 0 with Solver = Pcg: the noise bounds the condition number PCG converges at", "noise");
        }

        if (options.KernelStorage == KernelStorage.Fp32 && request.Options.Cap(HostMemory.Available()) is { } available)
        {
            long needed = Fp32Kernel.StoredBytes(n, rows.Count) + (3L * sizeof(double) * n * options.PreconditionerRank);
            if (needed > available)
            {
                string share = rows.Parts == 1 ? "4·N²" : string.Create(CultureInfo.InvariantCulture, $"4·N·{rows.Count}, this rank's {rows.Count} of the N points");
                throw new NngpInputException(
                    string.Create(CultureInfo.InvariantCulture, $"PCG with FP32 kernel storage needs {needed / 1e9:F2} GB of host memory for N = {n} (the kernel {share}, the preconditioner 24·N·k), {available / 1e9:F2} GB available: use KernelStorage = Recompute"),
                    "kernelStorage");
            }
        }
    }

    private T Own<T>(T resource)
        where T : IDisposable
    {
        _owned.Push(resource);
        return resource;
    }

    private void Solve(CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        var request = Request;
        var provider = _provider;
        int n = _n;
        ParallelOptions parallelism = request.Options.Parallelism(cancellationToken);
        double[] x = HostPreparation.ColumnMajor(request.X);
        if (_rows.Parts > 1)
        {
            _rows.CheckSame(x, "the training inputs");
            _rows.CheckSame(HostPreparation.ColumnMajor(request.Y), "the training targets"); // a copy of Y, made only where there are ranks to compare

            // Ranks that stopped on other tolerances would multiply blocks of other widths: refused before any product.
            _rows.CheckSame([_options.Tolerance, _options.MaxIterations, _options.PreconditionerRank, _options.Probes, _options.Seed, (double)_options.KernelStorage, request.Noise], "the PCG options");
        }
        TrainingTiles tiles = null!;
        Timings.Time(Stage.Upload, () =>
        {
            var inputs = Own(provider.Upload(x, "the training inputs"));
            _source = Own(KernelSources.For(provider, request, inputs));
            _source.PrepareCross(HostPreparation.InputVariances(x, n, _dimension));
            tiles = Own(new TrainingTiles(provider, _source, x, n, _dimension, parallelism, _rows));
            provider.Synchronize();
        });

        _preconditioner = Own(Timings.Time(Stage.Factorisation, () =>
            PivotedCholeskyPreconditioner.Build(provider, tiles, _options.PreconditionerRank, request.Noise, request.Options.Progress, cancellationToken)));
        _exact = Own(new RecomputedKernel(provider, tiles, request.Noise));
        _storage = _options.KernelStorage == KernelStorage.Recompute
            ? _exact
            : Own(Timings.Time(Stage.LayerMap, () => Fp32Kernel.Store(provider, tiles, request.Noise, request.Options.Progress, cancellationToken)));

        Timings.Time(Stage.Solve, () =>
        {
            double[] targets = HostPreparation.ColumnMajor(request.Y);
            int probes = _options.Probes, columns = _outputs + probes;
            var right = new double[(long)n * columns];
            targets.CopyTo(right, 0);
            var random = new Random(_options.Seed);
            var signs = new double[(long)n * probes];
            for (long i = 0; i < signs.Length; i++)
            {
                signs[i] = random.Next(2) == 0 ? -1 : 1;
            }

            // b = P^{1/2}·w: PCG from x = 0 then runs Lanczos on P^{-1/2}·A·P^{-1/2} from w itself.
            _preconditioner.ApplySquareRoot(signs, probes);
            signs.CopyTo(right, (long)n * _outputs);
            var tolerances = Enumerable.Range(0, columns).Select(c => c < _outputs ? _options.Tolerance : ProbeTolerance(_options.Tolerance)).ToArray();
            var solveRequest = new BlockConjugateGradients.Request("mean", tolerances, _outputs, Enumerable.Range(_outputs, probes).ToHashSet(), _options.MaxIterations);
            var solved = BlockConjugateGradients.Solve(_storage, _preconditioner, right, solveRequest, _progress, cancellationToken);

            var alpha = solved.X.AsSpan(0, checked(n * _outputs)).ToArray();
            var (rounds, refinementIterations, residual) = ResidualRefinement.Refine(
                _exact, _storage, _preconditioner, targets, alpha, _outputs, _options.Tolerance, _options.MaxIterations, _progress, cancellationToken);
            _alpha = Own(provider.Upload(alpha, "the weights α"));

            var (traceOfLog, error) = StochasticLanczosQuadrature.TraceOfLog(solved.Lanczos.Values, n);
            double logDeterminant = _preconditioner.LogDeterminant + traceOfLog;
            var dataFit = new double[_outputs];
            for (int c = 0; c < _outputs; c++)
            {
                for (int i = c * n; i < (c + 1) * n; i++)
                {
                    dataFit[c] += targets[i] * alpha[i];
                }
            }

            LogMarginalLikelihood = GaussianProcessMath.LogMarginalLikelihood(dataFit, 0.5 * logDeterminant, n);
            Summary = new PcgSummary(
                solved.Iterations + refinementIterations, residual, rounds, _preconditioner.Rank, _options.KernelStorage,
                0.5 * _outputs * error, Stopwatch.GetElapsedTime(start).TotalSeconds);
        });
    }

    /// <summary>The probes' tolerance: the Lanczos quadrature of a log is accurate long before the solve is, so they stop at 1e-5 where α needs less.</summary>
    private static double ProbeTolerance(double tolerance) => Math.Max(tolerance, 1e-5);

    public (Matrix<double> Mean, double[]? Variance, Matrix<double>? Covariance) Predict(
        Matrix<double> xTest, PredictionDetail detail, StageTimings timings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(xTest);
        ArgumentNullException.ThrowIfNull(timings);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (detail == PredictionDetail.Covariance)
        {
            throw new NngpInputException("a PCG posterior predicts means and variances; the full covariance needs FitOptions.Solver = Cholesky", "solver");
        }

        var provider = _provider;
        int n = _n, m = xTest.RowCount;
        ParallelOptions parallelism = Request.Options.Parallelism(cancellationToken);
        bool withVariance = detail == PredictionDetail.Variance;

        // Means alone: this rank's share of the test points, gathered after (the ranks must hold the
        // same points for that, checked first). Variances: every point here, for the solves together.
        RowPartition? share = !withVariance && _rows.Parts > 1 && m >= _rows.Parts ? _rows.Over(m) : null;
        share?.CheckSame(HostPreparation.ColumnMajor(xTest), "the test inputs");
        int first = share?.Start ?? 0, end = first + (share?.Count ?? m);

        // About 64 MiB of K_D* at once; 64 columns where each is also a right-hand side of the variance solve.
        int tile = (int)Math.Clamp((64L << 20) / sizeof(double) / n, 1, withVariance ? 64 : int.MaxValue);
        tile = Math.Min(tile, end - first);
        var mean = new double[(long)m * _outputs];
        double[]? variance = withVariance ? new double[m] : null;
        var counter = new ProgressCounter(progress, Stage.TestKernel, end - first);
        using var testInputs = provider.Allocate((long)tile * _dimension, "the test inputs");
        using var cross = provider.Allocate((long)n * tile, "the test kernel K_D*");
        using var tileMean = provider.Allocate((long)tile * _outputs, "the mean");
        var meanHost = new double[(long)tile * _outputs];
        for (int start = first; start < end; start += tile)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(tile, end - start);
            double[] inputs = xTest.SubMatrix(start, count, 0, _dimension).ToColumnMajorArray();
            double[] prior = [];
            timings.Time(Stage.TestKernel, () =>
            {
                provider.CopyIn(testInputs, inputs);
                prior = _source.BuildCross(cross, testInputs, inputs, start, count, null, parallelism);
            });
            timings.Time(Stage.Mean, () =>
            {
                provider.Multiply(true, false, count, _outputs, n, 1, cross, _alpha, 0, tileMean);
                Span<double> host = meanHost.AsSpan(0, count * _outputs);
                provider.CopyOut(tileMean, 0, host);
                for (int c = 0; c < _outputs; c++)
                {
                    host.Slice(c * count, count).CopyTo(mean.AsSpan((int)(((long)c * m) + start), count));
                }
            });

            if (variance is not null)
            {
                timings.Time(Stage.Variance, () => Variances(cross, prior, count, variance.AsSpan(start, count), cancellationToken));
            }

            counter.Advance(count);
        }

        share?.Gather(mean, _outputs);
        counter.Complete();
        return (Matrix<double>.Build.Dense(m, _outputs, mean), variance, null);
    }

    /// <summary>var_j = K(x_j, x_j) − k_jᵀ·A⁻¹·k_j, A⁻¹·k_j by the same PCG (and refinement) as α, to the same tolerance.</summary>
    private void Variances(ProviderBuffer cross, double[] prior, int count, Span<double> variance, CancellationToken cancellationToken)
    {
        int n = _n;
        var columns = new double[(long)n * count];
        _provider.CopyOut(cross, 0, columns);
        _rows.Broadcast(columns); // the right-hand sides of a solve every rank makes together: rank 0's bits
        var tolerances = Enumerable.Repeat(_options.Tolerance, count).ToArray();
        var request = new BlockConjugateGradients.Request("variance", tolerances, count, new HashSet<int>(), _options.MaxIterations);
        double[] solution = BlockConjugateGradients.Solve(_storage, _preconditioner, columns, request, _progress, cancellationToken).X;
        ResidualRefinement.Refine(_exact, _storage, _preconditioner, columns, solution, count, _options.Tolerance, _options.MaxIterations, _progress, cancellationToken);
        for (int j = 0; j < count; j++)
        {
            double explained = 0;
            for (long i = (long)j * n; i < (long)(j + 1) * n; i++)
            {
                explained += columns[i] * solution[i];
            }

            variance[j] = GaussianProcessMath.PosteriorVariance(prior[j], explained);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        while (_owned.TryPop(out IDisposable? resource))
        {
            resource.Dispose();
        }
    }
}
