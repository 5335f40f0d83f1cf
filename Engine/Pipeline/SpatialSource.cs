using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Spatial;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// The kernel entries of a convolutional plan (<see cref="SliceProgram"/>) through the provider's
/// spatial kernel, block by block into the provider's buffers; the training points' own runs are
/// kept for the jitter loop's rebuilds and every test tile.
/// </summary>
internal sealed class SpatialSource(IComputeProvider provider, FitRequest request, SliceProgram program) : IKernelSource
{
    private readonly SpatialKernelRun _run = new(provider, program, request.Kind, request.QuadratureOrder, request.Options.Precision);
    private SpatialPoints? _train;

    public double[] TrainDiagonal { get; private set; } = [];

    public void BuildTrain(ProviderBuffer target, StageTimings timings, IProgress<StageProgress>? progress, ParallelOptions parallelism) =>
        timings.Time(Stage.LayerMap, () =>
        {
            int n = request.X.RowCount;
            _train ??= _run.Points(request.X, "training inputs");
            TrainDiagonal = _run.Diagonal(_train);
            var counter = new ProgressCounter(progress, Stage.LayerMap, (double)n * (n + 1) / 2, parallelism);
            _run.Blocks(_train, null, counter, (start, block) => CopyColumns(target, n, start, block.Columns, _run.Values(block).Span));
            provider.Synchronize();
            counter.Complete();
        });

    public double[] BuildCross(ProviderBuffer cross, ProviderBuffer testInputs, double[] tileInputs, int start, int count, ProviderBuffer? cachedGram, ParallelOptions parallelism)
    {
        SpatialPoints train = _train ?? throw new InvalidOperationException("the training kernel is built before the test tiles");
        var tile = Matrix<double>.Build.Dense(count, request.X.ColumnCount, tileInputs);
        SpatialPoints points = _run.Points(tile, "test inputs");
        int n = train.Count;
        var counter = new ProgressCounter(null, Stage.LayerMap, (double)n * count, parallelism);
        _run.Blocks(train, points, counter, (first, block) => CopyColumns(cross, n, first, block.Columns, _run.Values(block).Span));
        provider.Synchronize();
        return _run.Diagonal(points);
    }

    /// <summary>Empty: the training points' own runs are made again from X.</summary>
    public double[] CrossState => [];

    public void PrepareCross(double[] crossState) => _train ??= _run.Points(request.X, "training inputs");

    public void Dispose() => _run.Dispose();

    /// <summary>Columns [first, first + count) of an n-row column-major matrix on the provider from a host block.</summary>
    private void CopyColumns(ProviderBuffer target, int n, int first, int count, ReadOnlySpan<double> block)
    {
        using ProviderBuffer staged = provider.Upload(block, "a block of kernel entries");
        provider.Copy(staged, 0, target, ColumnMajor.ColumnStart(first, n), ColumnMajor.Count(n, count));
    }
}
