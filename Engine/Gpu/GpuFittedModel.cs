using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Cpu;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Device;
using GpuNngp.Kernels.Lookup;
using ILGPU;
using ILGPU.Runtime;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// A factorised training set on the GPU. The device keeps X (for K_*D), the Cholesky factor L of
/// K_DD + σε²I (lower triangle of the N×N buffer), α = A⁻¹Y and the per-layer variances q_l of the
/// training points. Unlike the CPU no copy of K_DD is kept: a failed factorisation rebuilds K from X,
/// which is on the device anyway (syrk + map cost a few percent of one potrf).
/// </summary>
internal sealed class GpuFittedModel : IFittedModel
{
    private readonly GpuDevice _device;
    private readonly KernelKind _kind;
    private readonly int _n;
    private readonly int _dimension;
    private readonly int _outputs;
    private readonly HostNetworkView _hostNetwork;
    private readonly DeviceNetwork _network;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _x;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _factor;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _alpha;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _layerVariances;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _diagonal;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _priorDiagonal;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _info;
    private readonly GpuInputGram? _inputGram;
    private readonly LookupTableMode _lookup;
    private DeviceLookupTables? _tables;
    private bool _disposed;

    private GpuFittedModel(GpuDevice device, FitRequest request, double[] x)
    {
        _device = device;
        _kind = request.Kind;
        _n = request.X.RowCount;
        _dimension = request.X.ColumnCount;
        _outputs = request.Y.ColumnCount;
        _hostNetwork = HostKernelMap.View(request.Network, request.QuadratureOrder);
        _inputGram = request.InputGram as GpuInputGram;
        _lookup = request.Lookup;
        var accelerator = device.Accelerator;
        var stream = device.Stream;
        var buffers = new List<IDisposable>();
        try
        {
            _network = Track(buffers, new DeviceNetwork(accelerator, stream, request.Network, request.QuadratureOrder));
            _factor = Track(buffers, GpuHost.Allocate(accelerator, (long)_n * _n, "K_DD"));
            _x = Track(buffers, GpuHost.Upload(accelerator, stream, x));
            _alpha = Track(buffers, GpuHost.Upload(accelerator, stream, GpuHost.ColumnMajor(request.Y)));
            _layerVariances = Track(buffers, GpuHost.Allocate(accelerator, (long)request.Network.Depth * _n, "the per-layer variances"));
            _diagonal = Track(buffers, GpuHost.Allocate(accelerator, _n, "the diagonal"));
            _priorDiagonal = Track(buffers, GpuHost.Allocate(accelerator, _n, "the prior diagonal"));
            _info = Track(buffers, GpuHost.Allocate<int>(accelerator, 1, "devInfo"));
        }
        catch
        {
            foreach (var buffer in buffers)
            {
                buffer.Dispose();
            }

            throw;
        }
    }

    public double LogMarginalLikelihood { get; private set; }

    public double Jitter { get; private set; }

    public StageTimings Timings { get; private init; } = new();

    private DeviceDiagonalView TrainDiagonal => new(_layerVariances.View, _n);

    public static GpuFittedModel Fit(GpuDevice device, FitRequest request, IProgress<StageProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(request);
        device.Bind();
        int n = request.X.RowCount;
        GpuMemoryPlan.CheckFit(n, request.X.ColumnCount, request.Y.ColumnCount, request.Network.Depth, device.FreeMemory());
        var timings = new StageTimings { Progress = progress };
        GpuFittedModel? model = null;
        timings.Time(Stage.Upload, () =>
        {
            model = new GpuFittedModel(device, request, GpuHost.ColumnMajor(request.X)) { Timings = new StageTimings { Progress = progress } };
            device.Synchronize();
        });

        try
        {
            model!.Timings.Add(timings);
            model.Build(request, progress);
            return model;
        }
        catch
        {
            model!.Dispose();
            throw;
        }
    }

    private void Build(FitRequest request, IProgress<StageProgress>? progress)
    {
        var stream = _device.Stream;
        var kernels = _device.Kernels;
        int n = _n;
        ArrayView<double> k = _factor.View;

        Timings.Time(Stage.InputGram, () =>
        {
            InputGram();
            _device.Synchronize();
        });

        double[] priorDiagonal = [];
        Timings.Time(Stage.LayerMap, () =>
        {
            // q⁰ = K⁰(x, x) from the Gram just computed, as the CPU takes it; the chain q_l is O(N·L) on the host.
            kernels.CopyDiagonal(stream, k, n, _diagonal.View);
            double[] inputVariance = GpuHost.Download(stream, _diagonal, n);

            // Lookup tables exactly where the CPU would use them (activations without a closed form,
            // inputs of one norm), so both backends compute the same entries the same way.
            var hostTables = HostKernelMap.Tables(_hostNetwork, inputVariance, _lookup);
            _tables = hostTables is null ? null : new DeviceLookupTables(_device.Accelerator, stream, hostTables);
            (double[] layerVariances, priorDiagonal) = HostKernelMap.Diagonals(_hostNetwork, inputVariance, _kind, hostTables);
            GpuHost.CopyIn(stream, _layerVariances.View, layerVariances);
            GpuHost.CopyIn(stream, _priorDiagonal.View, priorDiagonal);

            kernels.MapLowerTriangle(stream, _network, k, n, TrainDiagonal, _kind, _tables);
            _device.Synchronize();
            progress?.Report(new StageProgress(Stage.LayerMap, 1));
        });

        double jitter = Timings.Time(Stage.Factorisation, () =>
        {
            int workspaceLength = _device.Blas.PotrfWorkspaceSize(n, _factor.NativePtr, n);
            using var workspace = GpuHost.Allocate(_device.Accelerator, workspaceLength, "the Cholesky workspace");
            bool first = true;
            double used = request.Jitter.Run(priorDiagonal.Average(), extra =>
            {
                if (!first)
                {
                    // potrf overwrote the lower triangle: rebuild K_DD from X (no N×N copy is kept).
                    InputGram();
                    kernels.MapLowerTriangle(stream, _network, k, n, TrainDiagonal, _kind, _tables);
                }

                first = false;
                kernels.SetDiagonal(stream, k, n, _priorDiagonal.View, request.Noise, extra);
                _device.Blas.Potrf(n, _factor.NativePtr, n, workspace.NativePtr, workspaceLength, _info.NativePtr);
                int info = ReadInfo("potrf");
                return (info == 0, info);
            });
            progress?.Report(new StageProgress(Stage.Factorisation, 1));
            return used;
        });

        double logLikelihood = Timings.Time(Stage.Solve, () =>
        {
            _device.Blas.Potrs(n, _outputs, _factor.NativePtr, n, _alpha.NativePtr, n, _info.NativePtr);
            ReadInfo("potrs");

            // yᵀα per output and Σ log L_ii: α (N×C) and diag(L) are small next to K_DD.
            double[] alpha = GpuHost.Download(stream, _alpha, (long)n * _outputs);
            kernels.CopyDiagonal(stream, k, n, _diagonal.View);
            double[] factorDiagonal = GpuHost.Download(stream, _diagonal, n);
            double[] y = GpuHost.ColumnMajor(request.Y);
            return GaussianProcessMath.LogMarginalLikelihood(y, alpha, factorDiagonal, _outputs);
        });

        Jitter = jitter;
        LogMarginalLikelihood = logLikelihood;
    }

    /// <summary>K⁰ = X·Xᵀ/d into the lower triangle of the N×N buffer: from the cache when there is one.</summary>
    private void InputGram()
    {
        if (_inputGram is not null)
        {
            _inputGram.TrainGram.View.CopyTo(_device.Stream, _factor.View);
            return;
        }

        _device.Blas.Syrk(_n, _dimension, 1.0 / _dimension, _x.NativePtr, _n, 0, _factor.NativePtr, _n);
    }

    /// <summary>devInfo after the stream drains: 0, or the failing minor (> 0); a negative value is a bug here.</summary>
    private int ReadInfo(string routine)
    {
        Span<int> info = stackalloc int[1];
        GpuHost.Download(_device.Stream, _info.View, info);
        if (info[0] < 0)
        {
            throw new InvalidOperationException($"{routine} rejected argument {-info[0]} (devInfo = {info[0]})");
        }

        return info[0];
    }

    public (Matrix<double> Mean, double[]? Variance) Predict(
        Matrix<double> xTest, bool withVariance, StageTimings timings, IProgress<StageProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(xTest);
        ArgumentNullException.ThrowIfNull(timings);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Bind();
        var accelerator = _device.Accelerator;
        var stream = _device.Stream;
        var kernels = _device.Kernels;
        int m = xTest.RowCount;
        int depth = _network.Depth;
        int tile = GpuMemoryPlan.TestTile(_n, _dimension, _outputs, depth, m, _device.FreeMemory());
        var mean = new double[(long)m * _outputs];
        double[]? variance = withVariance ? new double[m] : null;
        var counter = new ProgressCounter(progress, Stage.TestKernel, m);

        using var testInputs = GpuHost.Allocate(accelerator, (long)tile * _dimension, "the test inputs");
        using var cross = GpuHost.Allocate(accelerator, (long)_n * tile, "the test kernel K_D*");
        using var testVariances = GpuHost.Allocate(accelerator, (long)depth * tile, "the test diagonals");
        using var tileMean = GpuHost.Allocate(accelerator, (long)tile * _outputs, "the mean");
        using var tileVariance = GpuHost.Allocate(accelerator, tile, "the explained variances");
        var meanTile = new double[(long)tile * _outputs];

        for (int start = 0; start < m; start += tile)
        {
            int count = Math.Min(tile, m - start);
            double[] inputs = count == m ? GpuHost.ColumnMajor(xTest) : xTest.SubMatrix(start, count, 0, _dimension).ToColumnMajorArray();
            double[] priorVariance = [];

            timings.Time(Stage.Upload, () =>
            {
                GpuHost.CopyIn(stream, testInputs.View, inputs);
            });

            timings.Time(Stage.TestKernel, () =>
            {
                if (_inputGram?.ValidationGram is { } cachedCross && _inputGram.HoldsValidation(xTest))
                {
                    cachedCross.View.SubView((long)start * _n, (long)count * _n).CopyTo(_device.Stream, cross.View.SubView(0, (long)count * _n));
                }
                else
                {
                    _device.Blas.Gemm(false, true, _n, count, _dimension, 1.0 / _dimension, _x.NativePtr, _n, testInputs.NativePtr, count, 0, cross.NativePtr, _n);
                }

                var test = HostKernelMap.Diagonals(_hostNetwork, HostKernelMap.InputVariances(inputs, count, _dimension), _kind, _tables?.Host);
                priorVariance = test.Output;
                GpuHost.CopyIn(stream, testVariances.View, test.LayerVariances);

                kernels.MapRectangle(
                    stream, _network, cross.View, _n, count, TrainDiagonal, new DeviceDiagonalView(testVariances.View, count), _kind, _tables);
                _device.Synchronize();
            });

            timings.Time(Stage.Mean, () =>
            {
                _device.Blas.Gemm(true, false, count, _outputs, _n, 1, cross.NativePtr, _n, _alpha.NativePtr, _n, 0, tileMean.NativePtr, count);
                _device.Synchronize();
            });

            if (variance is not null)
            {
                timings.Time(Stage.Variance, () =>
                {
                    _device.Blas.TrsmLowerLeft(_n, count, _factor.NativePtr, _n, cross.NativePtr, _n);
                    kernels.ColumnSumsOfSquares(stream, cross.View, _n, count, tileVariance.View);
                    _device.Synchronize();
                });
            }

            timings.Time(Stage.Download, () =>
            {
                var tileMeanHost = meanTile.AsSpan(0, count * _outputs);
                GpuHost.Download(stream, tileMean.View, tileMeanHost);
                for (int c = 0; c < _outputs; c++)
                {
                    tileMeanHost.Slice(c * count, count).CopyTo(mean.AsSpan((int)((long)c * m + start), count));
                }

                if (variance is not null)
                {
                    var tileVarianceHost = variance.AsSpan(start, count);
                    GpuHost.Download(stream, tileVariance.View, tileVarianceHost);
                    for (int j = 0; j < count; j++)
                    {
                        tileVarianceHost[j] = GaussianProcessMath.PosteriorVariance(priorVariance[j], tileVarianceHost[j]);
                    }
                }
            });

            counter.Advance(count);
        }

        counter.Complete();
        return (Matrix<double>.Build.Dense(m, _outputs, mean), variance);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_device.Accelerator.IsDisposed)
        {
            return; // the accelerator freed its buffers when the engine was disposed first
        }

        _device.Bind();
        _tables?.Dispose();
        _info.Dispose();
        _priorDiagonal.Dispose();
        _diagonal.Dispose();
        _layerVariances.Dispose();
        _alpha.Dispose();
        _x.Dispose();
        _factor.Dispose();
        _network.Dispose();
    }

    private static T Track<T>(List<IDisposable> buffers, T buffer)
        where T : IDisposable
    {
        buffers.Add(buffer);
        return buffer;
    }
}
