using GpuNngp.Experiments.Evaluation;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Experiments.Selection;

/// <summary>
/// Bayesian model selection over a grid: each point is scored by the log marginal likelihood of the
/// training part and by accuracy on a validation split (<see cref="Run"/>), or by the likelihood
/// alone, for regression or without labels (<see cref="RunByLikelihood"/>). The input Grams (training, and validation
/// against training) are computed once, on the engine's device, and reused by every point: only the
/// layer map, the factorisation and the solves repeat. A convolutional network's kernel starts from
/// the images' pixel covariances, not from that Gram: each of its points computes its kernels whole.
/// </summary>
public sealed class HyperparameterSearch
{
    private readonly NngpEngine _engine;
    private readonly ActivationLayer? _activation;
    private readonly SearchedNetwork? _network;
    private readonly KernelKind _kind;
    private readonly KernelPrecision _precision;

    /// <summary>A search over the paper's fully connected GP-depth-σw²-σb² of <paramref name="activation"/>.</summary>
    public HyperparameterSearch(NngpEngine engine, ActivationLayer activation, KernelKind kind = KernelKind.Nngp)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _activation = activation ?? throw new ArgumentNullException(nameof(activation));
        _kind = kind;
    }

    /// <summary>
    /// A search over the σw², σb² of every layer with weights of <paramref name="network"/>
    /// (<see cref="SearchedNetwork"/>); the grid's one depth is the network's; a convolutional
    /// network's kernel in <paramref name="precision"/> on the CPU.
    /// </summary>
    public HyperparameterSearch(NngpEngine engine, SearchedNetwork network, KernelKind kind = KernelKind.Nngp, KernelPrecision precision = KernelPrecision.Double)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _network = network ?? throw new ArgumentNullException(nameof(network));
        _kind = kind;
        _precision = precision;
    }

    /// <summary>
    /// Scores every grid point not in <paramref name="finished"/>, in the grid's order, calling
    /// <paramref name="onResult"/> after each (the command appends it to the CSV there). A cancelled
    /// <paramref name="cancellationToken"/> stops it within the point being fitted (between its map
    /// columns and factorisation blocks) with <see cref="OperationCanceledException"/>.
    /// </summary>
    public IReadOnlyList<SearchResult> Run(
        Matrix<double> xFit,
        Matrix<double> yFit,
        Matrix<double> xValidation,
        IReadOnlyList<int> validationLabels,
        SearchGrid grid,
        IReadOnlyCollection<SearchResult>? finished = null,
        Action<SearchResult>? onResult = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(validationLabels);
        ArgumentNullException.ThrowIfNull(xValidation);
        ArgumentNullException.ThrowIfNull(yFit);
        Data.ClassLabels.CheckAgainst(validationLabels, xValidation.RowCount, yFit.ColumnCount, "validation labels");
        return Walk(xFit, yFit, (xValidation, validationLabels), grid, finished, onResult, cancellationToken);
    }

    /// <summary>
    /// Scores every grid point not in <paramref name="finished"/> by the log marginal likelihood of
    /// (<paramref name="xFit"/>, <paramref name="yFit"/>) alone: no validation set, any real targets
    /// (regression as well as one-hot classes). Each result's <see cref="SearchResult.ValidationAccuracy"/> is NaN.
    /// Cancellation as for <see cref="Run"/>.
    /// </summary>
    public IReadOnlyList<SearchResult> RunByLikelihood(
        Matrix<double> xFit,
        Matrix<double> yFit,
        SearchGrid grid,
        IReadOnlyCollection<SearchResult>? finished = null,
        Action<SearchResult>? onResult = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(yFit);
        return Walk(xFit, yFit, null, grid, finished, onResult, cancellationToken);
    }

    private IReadOnlyList<SearchResult> Walk(
        Matrix<double> xFit,
        Matrix<double> yFit,
        (Matrix<double> X, IReadOnlyList<int> Labels)? validation,
        SearchGrid grid,
        IReadOnlyCollection<SearchResult>? finished,
        Action<SearchResult>? onResult,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grid);
        grid.Validate();
        _network?.CheckDepths(grid.Depths);

        // A file may repeat a row (older versions computed a repeated grid value twice): the first counts.
        var done = new Dictionary<SearchPoint, SearchResult>();
        foreach (var result in finished ?? [])
        {
            done.TryAdd(result.Point, result);
        }

        var results = new List<SearchResult>();

        // Built on the first point left to compute: a search resumed after its last point needs no Gram.
        InputGramCache? gram = null;
        try
        {
            foreach (var point in grid.Points())
            {
                if (done.TryGetValue(point, out var previous))
                {
                    results.Add(previous);
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                bool convolutional = _network?.Template.IsConvolutional == true;
                gram ??= convolutional ? null : _engine.CacheInputGram(xFit, validation?.X);
                var result = Evaluate(point, gram, xFit, yFit, validation, cancellationToken);
                results.Add(result);
                onResult?.Invoke(result);
            }
        }
        finally
        {
            gram?.Dispose();
        }

        return results;
    }

    /// <summary>The best successful point by log marginal likelihood (null if none succeeded).</summary>
    public static SearchResult? BestByLikelihood(IEnumerable<SearchResult> results) =>
        results.Where(r => r.Succeeded).MaxBy(r => r.LogMarginalLikelihood);

    /// <summary>The best successful point by validation accuracy; ties go to the higher likelihood.</summary>
    public static SearchResult? BestByAccuracy(IEnumerable<SearchResult> results) =>
        results.Where(r => r.Succeeded).OrderByDescending(r => r.ValidationAccuracy).ThenByDescending(r => r.LogMarginalLikelihood).FirstOrDefault();

    /// <summary>One point, through the cached Grams where there are some (<paramref name="gram"/> null: a convolutional network).</summary>
    private SearchResult Evaluate(SearchPoint point, InputGramCache? gram, Matrix<double> xFit, Matrix<double> yFit, (Matrix<double> X, IReadOnlyList<int> Labels)? validation, CancellationToken cancellationToken)
    {
        var network = _network?.At(point.WeightVariance, point.BiasVariance)
            ?? Nngp.FullyConnected(point.Depth, _activation!, point.WeightVariance, point.BiasVariance);
        try
        {
            // The cache's own matrices: the engine reuses a Gram only for the objects it was made from.
            using var posterior = _engine.Fit(network, gram?.Train ?? xFit, yFit, new FitOptions { Noise = point.Noise, Kind = _kind, InputGram = gram, Precision = _precision }, cancellationToken);
            double accuracy = validation is { } v
                ? ClassificationExperiment.Accuracy(posterior.PredictMean(gram?.Validation ?? v.X, cancellationToken: cancellationToken).PredictedClasses(), v.Labels)
                : double.NaN;
            return new SearchResult(point, posterior.LogMarginalLikelihood, accuracy, posterior.Jitter);
        }
        catch (NngpNumericalException e)
        {
            return new SearchResult(point, double.NaN, double.NaN, double.NaN, e.Message);
        }
    }
}
