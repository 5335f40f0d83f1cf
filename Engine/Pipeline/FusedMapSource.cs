using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// The kernel of a Dense/φ chain, the fast path: the input Gram on the provider (syrk, or the cached
/// one), q⁰ from its diagonal, the lookup tables and diagonal chains on the host, then the provider's
/// fused all-layers map in place. The first build derives the tables, chains and prepared map, which
/// later builds (the jitter loop's) and every test tile reuse.
/// </summary>
internal sealed class FusedMapSource : IKernelSource
{
    private readonly IComputeProvider _provider;
    private readonly FitRequest _request;
    private readonly HostNetworkView _network;
    private readonly ProviderBuffer _x;
    private readonly int _n;
    private readonly int _dimension;
    private IPreparedMap? _map;
    private KernelLookupTable? _tables;
    private double[] _layerVariances = [];

    public FusedMapSource(IComputeProvider provider, FitRequest request, HostNetworkView network, ProviderBuffer x)
    {
        _provider = provider;
        _request = request;
        _network = network;
        _x = x;
        _n = request.X.RowCount;
        _dimension = request.X.ColumnCount;
    }

    public double[] TrainDiagonal { get; private set; } = [];

    public void BuildTrain(ProviderBuffer target, StageTimings timings, IProgress<StageProgress>? progress, ParallelOptions parallelism)
    {
        var provider = _provider;
        int n = _n;
        timings.Time(Stage.InputGram, () =>
        {
            if (_request.InputGram is { } cached)
            {
                provider.CopyLowerTriangle(cached.TrainGram(provider), target, n);
            }
            else
            {
                provider.SymmetricRankK(n, _dimension, 1.0 / _dimension, _x, target, parallelism.CancellationToken);
            }

            provider.Synchronize();
        });

        timings.Time(Stage.LayerMap, () =>
        {
            if (_map is null)
            {
                PrepareCross(provider.Diagonal(target, n));
            }

            var counter = new ProgressCounter(progress, Stage.LayerMap, (double)n * (n + 1) / 2, parallelism);
            provider.MapLowerTriangle(_map!, target, n, _layerVariances, _request.Kind, counter);
            provider.Synchronize();
            counter.Complete();
        });
    }

    public double[] BuildCross(ProviderBuffer cross, ProviderBuffer testInputs, double[] tileInputs, int start, int count, ProviderBuffer? cachedGram, ParallelOptions parallelism)
    {
        var provider = _provider;
        int n = _n;
        if (cachedGram is not null)
        {
            provider.Copy(cachedGram, ColumnMajor.ColumnStart(start, n), cross, 0, ColumnMajor.Count(n, count));
        }
        else
        {
            provider.Multiply(false, true, n, count, _dimension, 1.0 / _dimension, _x, testInputs, 0, cross, parallelism.CancellationToken);
        }

        var test = HostPreparation.Diagonals(_network, HostPreparation.InputVariances(tileInputs, count, _dimension), _request.Kind, _tables);
        provider.MapRectangle(_map!, cross, n, count, _layerVariances, test.LayerVariances, _request.Kind, new ProgressCounter(null, Stage.TestKernel, 1, parallelism));
        provider.Synchronize();
        return test.Output;
    }

    public double[] CrossState { get; private set; } = [];

    /// <summary>The tables, the diagonal chains and the prepared map from the training points' q⁰.</summary>
    public void PrepareCross(double[] crossState)
    {
        ArgumentNullException.ThrowIfNull(crossState);
        if (crossState.Length != _n)
        {
            throw new ArgumentException($"the fused map's saved state holds {crossState.Length} input variances for {_n} training points", nameof(crossState));
        }

        CrossState = crossState;
        _tables = HostPreparation.Tables(_network, crossState, _request.Lookup);
        (_layerVariances, double[] diagonal) = HostPreparation.Diagonals(_network, crossState, _request.Kind, _tables);
        TrainDiagonal = diagonal;
        _map = _provider.PrepareMap(_network, _tables);
    }

    public void Dispose() => _map?.Dispose();
}
