using GpuNngp.Engine.Computation;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// A factorised training set, written once over any <see cref="IComputeProvider"/>: the provider keeps
/// X (for K_*D), the Cholesky factor L of K_DD + σε²I in the lower triangle of the N×N buffer, and
/// α = A⁻¹Y; its <see cref="IKernelSource"/> makes the kernel entries (for a Dense/φ chain the fused
/// map, which keeps the per-layer variances and lookup tables on the host). After a
/// failed factorisation the upper triangle keeps a copy of K_DD, so that further attempts with growing
/// jitter need not recompute the kernel. Predictions go through test tiles sized by <see cref="MemoryPlan"/>.
/// </summary>
internal sealed class FittedModel : IPosteriorModel
{
    private readonly IComputeProvider _provider;
    private readonly FitRequest _request;
    private readonly int _n;
    private readonly int _dimension;
    private readonly int _outputs;
    private readonly List<IDisposable> _owned = [];
    private ProviderBuffer _x = null!;
    private ProviderBuffer _factor = null!;
    private ProviderBuffer _alpha = null!;
    private IKernelSource _source = null!;
    private bool _disposed;

    private readonly IProgress<StageProgress>? _progress;
    private readonly ParallelOptions _parallelism;

    private FittedModel(IComputeProvider provider, FitRequest request, CancellationToken cancellationToken)
    {
        _progress = request.Options.Progress;
        _parallelism = request.Options.Parallelism(cancellationToken);
        _provider = provider;
        _request = request;
        _n = request.X.RowCount;
        _dimension = request.X.ColumnCount;
        _outputs = request.Y.ColumnCount;
        Timings = new StageTimings { Progress = _progress };

        // The caller may change its matrix after the fit; a saved posterior keeps the targets as fitted.
        Targets = [.. HostPreparation.ColumnMajor(request.Y)];
    }

    /// <summary>What it was fitted from (for a loaded model: what the file holds).</summary>
    public FitRequest Request => _request;

    /// <summary>Y as fitted, N×C column-major: a copy taken at the fit.</summary>
    public double[] Targets { get; }

    /// <summary>The kernel source's state the test tiles read (<see cref="IKernelSource.CrossState"/>).</summary>
    public double[] CrossState => _source.CrossState;

    public double LogMarginalLikelihood { get; private set; }

    public double Jitter { get; private set; }

    public StageTimings Timings { get; }

    /// <summary>
    /// Builds and factorises K_DD + σε²I on <paramref name="provider"/> and solves for α; a cancelled
    /// <paramref name="cancellationToken"/> stops it between stages, map columns and factorisation
    /// blocks with <see cref="OperationCanceledException"/>, freeing what it allocated.
    /// </summary>
    public static FittedModel Fit(IComputeProvider provider, FitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(request);
        var model = new FittedModel(provider, request, cancellationToken);
        try
        {
            model.Factorise();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private T Own<T>(T resource)
        where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    private void Factorise()
    {
        var provider = _provider;
        var request = _request;
        int n = _n;
        CancellationToken cancellationToken = _parallelism.CancellationToken;
        cancellationToken.ThrowIfCancellationRequested();
        Timings.Time(Stage.Upload, () =>
        {
            _x = Own(provider.Upload(HostPreparation.ColumnMajor(request.X), "the training inputs"));
            _alpha = Own(provider.Upload(HostPreparation.ColumnMajor(request.Y), "the training targets"));

            // Uninitialised: the Gram writes the lower triangle and nothing reads the upper one
            // before a failed factorisation mirrors the kernel into it.
            _factor = Own(provider.Allocate(ColumnMajor.Count(n, n), "K_DD"));
            provider.Synchronize();
        });
        _source = Own(KernelSources.For(provider, request, _x));

        BuildKernel();

        // Optimistic: the first attempt factorises in place with no copy of K_DD, since most fits
        // need no jitter and a copy costs a pass over N² fresh pages (1.2 s at N = 10,000 on the CPU).
        // After a failure the kernel is rebuilt once, checked for NaN/∞, and its lower triangle mirrored
        // into the unused upper one, from which each further attempt restores it.
        int attempt = 0;
        double jitter;
        try
        {
            jitter = request.Jitter.Run(_source.TrainDiagonal.Average(), Attempt);
        }
        catch (NngpNumericalException e) when (attempt == 1 && e is not NonFiniteResultException)
        {
            // A policy that allows no retry failed on the first attempt, before the kernel was
            // checked: rebuild it once to tell a non-finite kernel from one not positive definite.
            BuildKernel();
            CheckFinite();
            throw;
        }

        (bool, int) Attempt(double extra)
        {
            if (attempt == 1)
            {
                // A kernel holding NaN or ∞ (a φ that is not finite at some correlations) must say
                // so, not end as "not positive definite" after every jitter.
                BuildKernel();
                CheckFinite();
                Timings.Time(Stage.Factorisation, () => provider.MirrorLowerToUpper(_factor, n));
            }
            else if (attempt > 1)
            {
                Timings.Time(Stage.Factorisation, () => provider.RestoreLowerFromUpper(_factor, n));
            }

            attempt++;
            cancellationToken.ThrowIfCancellationRequested();
            return Timings.Time(Stage.Factorisation, () =>
            {
                provider.SetDiagonal(_factor, n, _source.TrainDiagonal, request.Noise, extra);
                int failedMinor = provider.CholeskyFactor(_factor, n, ReportFactorisation, cancellationToken);
                return (failedMinor == 0, failedMinor);
            });
        }

        void ReportFactorisation(double fraction) => _progress?.Report(new StageProgress(Stage.Factorisation, fraction));

        _progress?.Report(new StageProgress(Stage.Factorisation, 1));
        cancellationToken.ThrowIfCancellationRequested();
        LogMarginalLikelihood = Timings.Time(Stage.Solve, () =>
        {
            provider.CholeskySolve(_factor, n, _alpha, _outputs);
            var alpha = new double[ColumnMajor.Count(n, _outputs)];
            provider.CopyOut(_alpha, 0, alpha);
            return GaussianProcessMath.LogMarginalLikelihood(HostPreparation.ColumnMajor(request.Y), alpha, provider.Diagonal(_factor, n), _outputs);
        });
        Jitter = jitter;
    }

    /// <summary>
    /// A fitted model from its saved parts (a loaded posterior): X and α to the provider, the factor's
    /// lower triangle block by block from <paramref name="readFactor"/> (first column, column count,
    /// the block's whole columns to fill, zero above the diagonal), and the kernel source prepared
    /// from its saved state. No kernel is built and nothing is factorised.
    /// </summary>
    public static FittedModel Restore(
        IComputeProvider provider, FitRequest request, SavedFit saved, Action<int, int, Span<double>> readFactor)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(readFactor);
        var model = new FittedModel(provider, request, CancellationToken.None);
        try
        {
            model.Load(saved, readFactor);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private void Load(SavedFit saved, Action<int, int, Span<double>> readFactor)
    {
        int n = _n;
        _x = Own(_provider.Upload(HostPreparation.ColumnMajor(_request.X), "the training inputs"));
        _alpha = Own(_provider.Upload(saved.Alpha, "the weights α"));
        _factor = Own(_provider.Allocate(ColumnMajor.Count(n, n), "the Cholesky factor"));
        int width = FactorBlockColumns(n);
        var block = new double[ColumnMajor.Count(n, width)];
        for (int first = 0; first < n; first += width)
        {
            int count = Math.Min(width, n - first);
            Span<double> columns = block.AsSpan(0, checked((int)ColumnMajor.Count(n, count)));
            readFactor(first, count, columns);
            using ProviderBuffer staged = _provider.Upload(columns, "a block of the Cholesky factor");
            _provider.Copy(staged, 0, _factor, ColumnMajor.ColumnStart(first, n), columns.Length);
        }

        _source = Own(KernelSources.For(_provider, _request, _x));
        _source.PrepareCross(saved.CrossState);
        _provider.Synchronize();
        Jitter = saved.Jitter;
        LogMarginalLikelihood = saved.LogMarginalLikelihood;
    }

    /// <summary>Columns a block of the factor moves between host and provider at once: about 32 MiB, at least one.</summary>
    public static int FactorBlockColumns(int n) => (int)Math.Clamp((32L << 20) / sizeof(double) / Math.Max(1, n), 1, Math.Max(1, n));

    /// <summary>X as it is on the provider, N×d column-major.</summary>
    public double[] DownloadInputs() => Download(_x, ColumnMajor.Count(_n, _dimension));

    /// <summary>α = A⁻¹Y, N×C column-major.</summary>
    public double[] DownloadAlpha() => Download(_alpha, ColumnMajor.Count(_n, _outputs));

    /// <summary>Whole columns [first, first + columns.Length / N) of the N×N factor buffer (above the diagonal: whatever it holds).</summary>
    public void DownloadFactorColumns(int first, Span<double> columns)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _provider.CopyOut(_factor, ColumnMajor.ColumnStart(first, _n), columns);
    }

    private double[] Download(ProviderBuffer buffer, long length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var values = new double[length];
        _provider.CopyOut(buffer, 0, values);
        return values;
    }

    /// <summary>The training kernel into the lower triangle of the N×N buffer, by the plan's kernel source.</summary>
    private void BuildKernel() => _source.BuildTrain(_factor, Timings, _progress, _parallelism);

    private void CheckFinite() => FiniteResults.CheckLowerTriangle(_provider, _factor, _n);

    /// <summary>
    /// Mean (M×C) and, as <paramref name="detail"/> asks, per-point variances (M) and the M×M
    /// covariance, tile by tile; the covariance keeps every tile's L⁻¹K_D* for one product at the end.
    /// A cancelled <paramref name="cancellationToken"/> stops it between tiles and map columns.
    /// </summary>
    public (Matrix<double> Mean, double[]? Variance, Matrix<double>? Covariance) Predict(
        Matrix<double> xTest, PredictionDetail detail, StageTimings timings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(xTest);
        ArgumentNullException.ThrowIfNull(timings);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var provider = _provider;
        int n = _n, m = xTest.RowCount;
        ParallelOptions parallelism = _request.Options.Parallelism(cancellationToken);
        bool covariance = detail == PredictionDetail.Covariance;
        if (covariance)
        {
            MemoryPlan.CheckCovariance(provider.Memory, _request.Options.Cap(provider.AvailableBytes()), n, m);
        }

        int tile = MemoryPlan.TestTile(provider.Memory, _request.Options.Cap(provider.AvailableBytes()), n, _dimension, _outputs, _request.Plan.Depth, m);
        var mean = new double[ColumnMajor.Count(m, _outputs)];
        double[]? variance = detail == PredictionDetail.Mean ? null : new double[m];
        var counter = new ProgressCounter(progress, Stage.TestKernel, m);
        ProviderBuffer? cachedCross = _request.InputGram?.ValidationGramFor(provider, xTest);

        // One buffer of each for every tile: the last, shorter tile uses the first values.
        int largest = Math.Min(tile, m);
        using var testInputs = provider.Allocate((long)largest * _dimension, "the test inputs");
        using var cross = provider.Allocate(ColumnMajor.Count(n, largest), "the test kernel K_D*");
        using var tileMean = provider.Allocate((long)largest * _outputs, "the mean");
        using var whitened = covariance ? provider.Allocate(ColumnMajor.Count(n, m), "L⁻¹K_D* of every test point") : null;
        var meanTile = new double[(long)largest * _outputs];
        for (int start = 0; start < m; start += tile)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(tile, m - start);
            double[] inputs = count == m ? HostPreparation.ColumnMajor(xTest) : xTest.SubMatrix(start, count, 0, _dimension).ToColumnMajorArray();
            double[] priorVariance = [];

            timings.Time(Stage.Upload, () =>
            {
                provider.CopyIn(testInputs, inputs);
                provider.Synchronize();
            });

            timings.Time(Stage.TestKernel, () =>
            {
                priorVariance = _source.BuildCross(cross, testInputs, inputs, start, count, cachedCross, parallelism);
            });

            timings.Time(Stage.Mean, () =>
            {
                provider.Multiply(true, false, count, _outputs, n, 1, cross, _alpha, 0, tileMean);
                provider.Synchronize();
            });

            if (variance is not null)
            {
                timings.Time(Stage.Variance, () =>
                {
                    provider.LowerTriangularSolve(_factor, n, cross, count, cancellationToken);
                    double[] explained = provider.ColumnSumsOfSquares(cross, n, count);
                    for (int j = 0; j < count; j++)
                    {
                        variance[start + j] = GaussianProcessMath.PosteriorVariance(priorVariance[j], explained[j]);
                    }

                    if (whitened is not null)
                    {
                        provider.Copy(cross, 0, whitened, ColumnMajor.ColumnStart(start, n), ColumnMajor.Count(n, count));
                    }
                });
            }

            timings.Time(Stage.Download, () =>
            {
                Span<double> tileMeanHost = meanTile.AsSpan(0, count * _outputs);
                provider.CopyOut(tileMean, 0, tileMeanHost);
                for (int c = 0; c < _outputs; c++)
                {
                    tileMeanHost.Slice(c * count, count).CopyTo(mean.AsSpan(checked((int)ColumnMajor.Index(start, c, m)), count));
                }
            });

            counter.Advance(count);
        }

        counter.Complete();
        var covarianceMatrix = whitened is null ? null : Covariance(xTest, whitened, timings, cancellationToken);
        return (Matrix<double>.Build.Dense(m, _outputs, mean), variance, covarianceMatrix);
    }

    /// <summary>
    /// K_** − WᵀW, W = L⁻¹K_D* (n×M, every test point's column): the prior kernel of the test points by
    /// the kernel pipeline on this provider, the product there too, then symmetrised on the host
    /// (a blocked gemm may round its two triangles differently).
    /// </summary>
    private Matrix<double> Covariance(Matrix<double> xTest, ProviderBuffer whitened, StageTimings timings, CancellationToken cancellationToken)
    {
        var provider = _provider;
        int m = xTest.RowCount;
        using HostMatrix prior = timings.Time(Stage.TestKernel, () =>
            KernelPipeline.Compute(provider, _request.Plan, xTest, null, _request.Options with { Progress = null }, cancellationToken));
        var result = timings.Time(Stage.Variance, () =>
        {
            var product = provider.Upload(prior.Storage.Slice(0, checked((int)prior.Count)), "the test points' prior covariance");
            try
            {
                provider.Multiply(true, false, m, m, _n, -1, whitened, whitened, 1, product);
                provider.Synchronize();
            }
            catch
            {
                product.Dispose();
                throw;
            }

            return provider.ToHost(product, m, m);
        });
        using (result)
        {
            return timings.Time(Stage.Download, () => Symmetrised(result.ToMatrix()));
        }
    }

    /// <summary>The square matrix with each pair of mirrored entries replaced by their mean, in place (a blocked gemm may round its two triangles differently).</summary>
    internal static Matrix<double> Symmetrised(Matrix<double> covariance)
    {
        int m = covariance.RowCount;
        for (int j = 0; j < m; j++)
        {
            for (int i = j + 1; i < m; i++)
            {
                double symmetric = 0.5 * (covariance[i, j] + covariance[j, i]);
                covariance[i, j] = symmetric;
                covariance[j, i] = symmetric;
            }
        }

        return covariance;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }
}
