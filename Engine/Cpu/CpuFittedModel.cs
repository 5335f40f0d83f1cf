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
    private const long TileBytes = 256L << 20;

    private readonly IHostLinearAlgebra _linearAlgebra;
    private readonly HostNetworkView _network;
    private readonly KernelKind _kind;
    private readonly double[] _trainInputs;
    private double[] _trainLayerVariances;
    private readonly double[] _factor;
    private readonly double[] _alpha;
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
        _trainInputs = request.X.ToColumnMajorArray();
        _factor = new double[(long)_n * _n];
        _alpha = request.Y.ToColumnMajorArray();
        _inputGram = request.InputGram as CpuInputGram;
        _trainLayerVariances = [];
    }

    public double LogMarginalLikelihood { get; private set; }

    public double Jitter { get; private set; }

    public StageTimings Timings { get; } = new();

    public static CpuFittedModel Fit(IHostLinearAlgebra linearAlgebra, FitRequest request, IProgress<StageProgress>? progress)
    {
        var model = new CpuFittedModel(linearAlgebra, request, HostKernelMap.View(request.Network, request.QuadratureOrder));
        int n = model._n;
        double[] k = model._factor;
        var timings = model.Timings;

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
                    linearAlgebra.SymmetricRankK(n, model._dimension, 1.0 / model._dimension, model._trainInputs, k);
                }
            });

            timings.Time(Stage.LayerMap, () =>
            {
                double[] inputVariances = HostKernelMap.Diagonal(k, n);
                model._tables = HostKernelMap.Tables(model._network, inputVariances, request.Lookup);
                (layerVariances, _) = HostKernelMap.Diagonals(model._network, inputVariances, request.Kind, model._tables);
                var counter = new ProgressCounter(progress, Stage.LayerMap, (double)n * (n + 1) / 2);
                HostKernelMap.MapLowerTriangle(model._network, k, n, layerVariances, request.Kind, counter, model._tables);
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
        progress?.Report(new StageProgress(Stage.Factorisation, 0));
        double jitter = request.Jitter.Run(kernelDiagonal.Average(), extra =>
        {
            if (attempt == 1)
            {
                BuildKernel();
                timings.Time(Stage.Factorisation, () => HostKernelMap.MirrorLowerToUpper(k, n));
            }
            else if (attempt > 1)
            {
                timings.Time(Stage.Factorisation, () => HostKernelMap.RestoreLowerFromUpper(k, n));
            }

            attempt++;
            return timings.Time(Stage.Factorisation, () =>
            {
                for (int i = 0; i < n; i++)
                {
                    k[(long)i * n + i] = kernelDiagonal[i] + request.Noise + extra;
                }

                int failedMinor = linearAlgebra.CholeskyFactor(k, n);
                return (failedMinor == 0, failedMinor);
            });
        });

        progress?.Report(new StageProgress(Stage.Factorisation, 1));
        double logLikelihood = timings.Time(Stage.Solve, () =>
        {
            double[] y = request.Y.ToColumnMajorArray();
            linearAlgebra.CholeskySolve(k, n, model._alpha, model._outputs);
            return GaussianProcessMath.LogMarginalLikelihood(y, model._alpha, HostKernelMap.Diagonal(k, n), model._outputs);
        });

        model._trainLayerVariances = layerVariances;
        model.Jitter = jitter;
        model.LogMarginalLikelihood = logLikelihood;
        return model;
    }

    /// <summary>Copies the lower triangle (diagonal included) of a column-major n×n matrix, leaving the rest untouched.</summary>
    private static void CopyLowerTriangle(double[] source, double[] destination, int n) =>
        Parallel.For(0, n, column => Array.Copy(source, (long)column * n + column, destination, (long)column * n + column, n - column));

    public (Matrix<double> Mean, double[]? Variance) Predict(
        Matrix<double> xTest, bool withVariance, StageTimings timings, IProgress<StageProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(xTest);
        ArgumentNullException.ThrowIfNull(timings);
        int m = xTest.RowCount;
        int tile = (int)Math.Clamp(TileBytes / (8L * _n), 1, Math.Max(1, m));
        var mean = new double[(long)m * _outputs];
        double[]? variance = withVariance ? new double[m] : null;
        var counter = new ProgressCounter(progress, Stage.TestKernel, m);

        for (int start = 0; start < m; start += tile)
        {
            int count = Math.Min(tile, m - start);
            double[] testInputs = xTest.SubMatrix(start, count, 0, _dimension).ToColumnMajorArray();
            var cross = new double[(long)_n * count];
            double[] priorVariance = [];

            timings.Time(Stage.TestKernel, () =>
            {
                if (_inputGram?.ValidationGram is { } cachedCross && _inputGram.HoldsValidation(xTest))
                {
                    Array.Copy(cachedCross, (long)start * _n, cross, 0, cross.LongLength);
                }
                else
                {
                    _linearAlgebra.Multiply(false, true, _n, count, _dimension, 1.0 / _dimension, _trainInputs, testInputs, 0, cross);
                }

                var test = HostKernelMap.Diagonals(_network, HostKernelMap.InputVariances(testInputs, count, _dimension), _kind, _tables);
                priorVariance = test.Output;
                HostKernelMap.MapRectangle(_network, cross, _n, count, _trainLayerVariances, test.LayerVariances, _kind, new ProgressCounter(null, Stage.TestKernel, 1), _tables);
            });

            timings.Time(Stage.Mean, () =>
            {
                var tileMean = new double[(long)count * _outputs];
                _linearAlgebra.Multiply(true, false, count, _outputs, _n, 1, cross, _alpha, 0, tileMean);
                for (int c = 0; c < _outputs; c++)
                {
                    Array.Copy(tileMean, (long)c * count, mean, (long)c * m + start, count);
                }
            });

            if (variance is not null)
            {
                timings.Time(Stage.Variance, () =>
                {
                    _linearAlgebra.LowerTriangularSolve(_factor, _n, cross, count);
                    Parallel.For(0, count, j =>
                    {
                        long offset = (long)j * _n;
                        double explained = 0;
                        for (int i = 0; i < _n; i++)
                        {
                            explained += cross[offset + i] * cross[offset + i];
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
    }
}
