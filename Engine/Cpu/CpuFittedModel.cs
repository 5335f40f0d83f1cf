using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Cpu;

/// <summary>
/// A factorised training set on the host. The lower triangle of the N×N array holds the Cholesky
/// factor; after a failed factorisation the upper triangle keeps a copy of K_DD, so that further
/// attempts with growing jitter need not recompute the kernel.
/// </summary>
internal sealed class CpuFittedModel : IFittedModel
{
    /// <summary>The largest test tile: N×tile doubles of K_D* at a time.</summary>
    internal const long TileBytes = 256L << 20;

    private readonly IHostLinearAlgebra _linearAlgebra;
    private readonly HostNetworkView _network;
    private readonly KernelKind _kind;
    private readonly HostBuffer _trainInputs;
    private double[] _trainLayerVariances;
    private readonly HostBuffer _factor;
    private readonly HostBuffer _alpha;
    private readonly int _n;
    private readonly int _dimension;
    private readonly int _outputs;
    private readonly CpuInputGram? _inputGram;
    private KernelLookupTable? _tables;

    private CpuFittedModel(IHostLinearAlgebra linearAlgebra, FitRequest request, HostNetworkView network)
    {
        _linearAlgebra = linearAlgebra;
        _network = network;
        _kind = request.Kind;
        _n = request.X.RowCount;
        _dimension = request.X.ColumnCount;
        _outputs = request.Y.ColumnCount;
        _trainInputs = HostBuffer.CopyOf(request.X.ToColumnMajorArray());
        _alpha = HostBuffer.CopyOf(request.Y.ToColumnMajorArray());

        // Uninitialised: the Gram writes the lower triangle and nothing reads the upper one
        // before a failed factorisation mirrors the kernel into it.
        _factor = HostBuffer.Allocate(ColumnMajor.Count(_n, _n));
        _inputGram = request.InputGram as CpuInputGram;
        _trainLayerVariances = [];
    }

    public double LogMarginalLikelihood { get; private set; }

    public double Jitter { get; private set; }

    public StageTimings Timings { get; private init; } = new();

    public static CpuFittedModel Fit(IHostLinearAlgebra linearAlgebra, FitRequest request, IProgress<StageProgress>? progress)
    {
        var model = new CpuFittedModel(linearAlgebra, request, HostKernelMap.View(request.Network, request.QuadratureOrder))
        {
            Timings = new StageTimings { Progress = progress },
        };
        try
        {
            model.Factorise(request, progress);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private void Factorise(FitRequest request, IProgress<StageProgress>? progress)
    {
        var linearAlgebra = _linearAlgebra;
        int n = _n;
        HostBuffer k = _factor;
        var timings = Timings;

        double[] layerVariances = [];
        void BuildKernel()
        {
            timings.Time(Stage.InputGram, () =>
            {
                if (request.InputGram is CpuInputGram cached)
                {
                    CopyLowerTriangle(cached.TrainGram, k, n);
                }
                else
                {
                    linearAlgebra.SymmetricRankK(n, _dimension, 1.0 / _dimension, _trainInputs, k);
                }
            });

            timings.Time(Stage.LayerMap, () =>
            {
                double[] inputVariances = HostKernelMap.Diagonal(k, n);
                _tables = HostKernelMap.Tables(_network, inputVariances, request.Lookup);
                (layerVariances, _) = HostKernelMap.Diagonals(_network, inputVariances, request.Kind, _tables);
                var counter = new ProgressCounter(progress, Stage.LayerMap, (double)n * (n + 1) / 2);
                HostKernelMap.MapLowerTriangle(_network, k, n, layerVariances, request.Kind, counter, _tables);
                counter.Complete();
            });
        }

        BuildKernel();

        // Optimistic: the first attempt factorises in place with no copy of K_DD, since most fits
        // need no jitter and a copy costs a pass over N² fresh pages (1.2 s at N = 10,000 here).
        // After a failure the kernel is rebuilt once and its lower triangle mirrored into the
        // unused upper one, from which each further attempt restores it.
        double[] kernelDiagonal = HostKernelMap.Diagonal(k, n);
        int attempt = 0;
        double jitter;
        try
        {
            jitter = request.Jitter.Run(kernelDiagonal.Average(), Attempt);
        }
        catch (NngpNumericalException e) when (attempt == 1 && e is not NonFiniteResultException)
        {
            // A policy that allows no retry failed on the first attempt, before the kernel was
            // checked: rebuild it once to tell a non-finite kernel from one not positive definite.
            BuildKernel();
            FiniteResults.CheckLowerTriangle(k, n);
            throw;
        }

        (bool, int) Attempt(double extra)
        {
            if (attempt == 1)
            {
                // The first attempt failed: a kernel holding NaN or ∞ (a φ that is not finite at some
                // correlations) must say so, not end as "not positive definite" after every jitter.
                BuildKernel();
                FiniteResults.CheckLowerTriangle(k, n);
                timings.Time(Stage.Factorisation, () => SymmetricTriangles.MirrorLowerToUpper(k, n));
            }
            else if (attempt > 1)
            {
                timings.Time(Stage.Factorisation, () => SymmetricTriangles.RestoreLowerFromUpper(k, n));
            }

            attempt++;
            return timings.Time(Stage.Factorisation, () =>
            {
                for (int i = 0; i < n; i++)
                {
                    k[ColumnMajor.Index(i, i, n)] = kernelDiagonal[i] + request.Noise + extra;
                }

                int failedMinor = linearAlgebra.CholeskyFactor(k, n);
                return (failedMinor == 0, failedMinor);
            });
        }

        progress?.Report(new StageProgress(Stage.Factorisation, 1));
        double logLikelihood = timings.Time(Stage.Solve, () =>
        {
            double[] y = request.Y.ToColumnMajorArray();
            linearAlgebra.CholeskySolve(k, n, _alpha, _outputs);
            return GaussianProcessMath.LogMarginalLikelihood(y, _alpha.ToArray(), HostKernelMap.Diagonal(k, n), _outputs);
        });

        _trainLayerVariances = layerVariances;
        Jitter = jitter;
        LogMarginalLikelihood = logLikelihood;
    }

    /// <summary>Copies the lower triangle (diagonal included) of a column-major n×n matrix, leaving the rest untouched.</summary>
    private static void CopyLowerTriangle(HostBuffer source, HostBuffer destination, int n) =>
        Parallel.For(0, n, column =>
        {
            long first = ColumnMajor.Index(column, column, n);
            source.Slice(first, n - column).CopyTo(destination.Slice(first, n - column));
        });

    /// <summary>
    /// Test points per tile: as many K_D* columns as <see cref="TileBytes"/> holds (at least one, at
    /// most <paramref name="testCount"/>), so that a tile's N×tile values stay well inside one span.
    /// </summary>
    internal static int TestTile(int n, int testCount) =>
        (int)Math.Clamp(TileBytes / (sizeof(double) * (long)n), 1, Math.Max(1, testCount));

    public (Matrix<double> Mean, double[]? Variance) Predict(
        Matrix<double> xTest, bool withVariance, StageTimings timings, IProgress<StageProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(xTest);
        ArgumentNullException.ThrowIfNull(timings);
        int m = xTest.RowCount;
        int tile = TestTile(_n, m);
        var mean = new double[ColumnMajor.Count(m, _outputs)];
        double[]? variance = withVariance ? new double[m] : null;
        var counter = new ProgressCounter(progress, Stage.TestKernel, m);

        // One K_D* tile buffer for every tile: the last, shorter tile uses its first N×count values.
        using var cross = HostBuffer.Allocate(ColumnMajor.Count(_n, Math.Min(tile, m)));
        for (int start = 0; start < m; start += tile)
        {
            int count = Math.Min(tile, m - start);
            double[] testInputColumns = xTest.SubMatrix(start, count, 0, _dimension).ToColumnMajorArray();
            using var testInputs = HostBuffer.CopyOf(testInputColumns);
            int tileValues = checked((int)ColumnMajor.Count(_n, count));
            double[] priorVariance = [];

            timings.Time(Stage.TestKernel, () =>
            {
                if (_inputGram?.ValidationGram is { } cachedCross && _inputGram.HoldsValidation(xTest))
                {
                    cachedCross.Slice(ColumnMajor.ColumnStart(start, _n), tileValues).CopyTo(cross.Slice(0, tileValues));
                }
                else
                {
                    _linearAlgebra.Multiply(false, true, _n, count, _dimension, 1.0 / _dimension, _trainInputs, testInputs, 0, cross);
                }

                var test = HostKernelMap.Diagonals(_network, HostKernelMap.InputVariances(testInputColumns, count, _dimension), _kind, _tables);
                priorVariance = test.Output;
                HostKernelMap.MapRectangle(_network, cross, _n, count, _trainLayerVariances, test.LayerVariances, _kind, new ProgressCounter(null, Stage.TestKernel, 1), _tables);
            });

            timings.Time(Stage.Mean, () =>
            {
                using var tileMean = HostBuffer.Allocate(ColumnMajor.Count(count, _outputs));
                _linearAlgebra.Multiply(true, false, count, _outputs, _n, 1, cross, _alpha, 0, tileMean);
                for (int c = 0; c < _outputs; c++)
                {
                    tileMean.Slice(ColumnMajor.ColumnStart(c, count), count).CopyTo(mean.AsSpan(checked((int)ColumnMajor.Index(start, c, m)), count));
                }
            });

            if (variance is not null)
            {
                timings.Time(Stage.Variance, () =>
                {
                    _linearAlgebra.LowerTriangularSolve(_factor, _n, cross, count);
                    Parallel.For(0, count, j =>
                    {
                        ReadOnlySpan<double> column = cross.Slice(ColumnMajor.ColumnStart(j, _n), _n);
                        double explained = 0;
                        for (int i = 0; i < column.Length; i++)
                        {
                            explained += column[i] * column[i];
                        }

                        variance[start + j] = GaussianProcessMath.PosteriorVariance(priorVariance[j], explained);
                    });
                });
            }

            counter.Advance(count);
        }

        counter.Complete();
        return (Matrix<double>.Build.Dense(m, _outputs, mean), variance);
    }

    public void Dispose()
    {
        _factor.Dispose();
        _alpha.Dispose();
        _trainInputs.Dispose();
    }
}
