using GpuNngp.Engine;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Persistence;
using GpuNngp.Engine.Pipeline;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The exact GP posterior of a fitted training set: the factorised K_DD + σε²I and α = A⁻¹Y stay
/// where they were computed (on the GPU, device memory), so predictions are one pass over the test
/// kernel. Made by <see cref="NngpEngine.Fit"/> (or <see cref="NngpEngine.LoadPosterior"/>);
/// <see cref="Save(Stream)"/> keeps it for later. Calls wait for the engine's other calls (one at a
/// time per engine); dispose it to free that memory, after which every call throws
/// <see cref="ObjectDisposedException"/>, as it does once its engine is disposed.
/// </summary>
public sealed class GpPosterior : IDisposable
{
    private readonly IPosteriorModel _model;
    private readonly EngineGate _gate;
    private readonly int _dimension;
    private bool _disposed;

    internal GpPosterior(IPosteriorModel model, Network network, EngineGate gate, string backend, int trainCount, int dimension, int outputs, double noise)
    {
        _model = model;
        _gate = gate;
        Network = network;
        _dimension = dimension;
        Backend = backend;
        TrainCount = trainCount;
        Outputs = outputs;
        Noise = noise;
    }

    /// <summary>Where it was computed, e.g. "CPU (2 threads, OpenBLAS ...)"; for a loaded posterior, where it was loaded.</summary>
    public string Backend { get; }

    /// <summary>The network whose kernel it was fitted with.</summary>
    public Network Network { get; }

    /// <summary>The kernel it was fitted with: the NNGP or the NTK.</summary>
    public KernelKind Kind => _model.Request.Kind;

    /// <summary>N, the number of training points fitted.</summary>
    public int TrainCount { get; }

    /// <summary>C, the number of target columns: the columns of every <see cref="MeanPrediction.Mean"/>.</summary>
    public int Outputs { get; }

    /// <summary>σε², the observation noise added to the diagonal.</summary>
    public double Noise { get; }

    /// <summary>The jitter that had to be added on top of σε² for the factorisation to succeed (0 if none), in the units of the kernel (not relative).</summary>
    public double Jitter => _model.Jitter;

    /// <summary>
    /// log p(Y | X) = Σ_c [−½ y_cᵀα_c − Σ_i log L_ii − (N/2) log 2π], summed over the C outputs, in
    /// nats, with the jitter included in A: the score of model selection.
    /// </summary>
    public double LogMarginalLikelihood => _model.LogMarginalLikelihood;

    /// <summary>Seconds per stage of the fit.</summary>
    public StageTimings FitTimings => _model.Timings;

    /// <summary>How a fit with <see cref="FitOptions.Solver"/> = <see cref="SolverKind.Pcg"/> converged (iterations, residual, the log-likelihood's standard error); null for a Cholesky fit.</summary>
    public PcgSummary? Pcg => (_model as Engine.Iterative.PcgModel)?.Summary;

    /// <summary>The posterior mean (M×C) and the variance and standard deviation of each test point.</summary>
    /// <remarks>
    /// mean = K_*D·α; var = K(x*, x*) − ‖L⁻¹K_D*‖², the variance of the latent function (without σε²),
    /// clamped at 0 and the same for every output. The test points are processed in tiles; only the
    /// mean and the variances come back from the device. A cancelled <paramref name="cancellationToken"/>
    /// stops it between test tiles and map columns with <see cref="OperationCanceledException"/>; the
    /// posterior stays usable.
    /// </remarks>
    /// <param name="xTest">Test inputs, M×d, finite, with the training inputs' d features.</param>
    /// <param name="progress">Told the <see cref="StageProgress"/> of each stage; null for none.</param>
    /// <param name="cancellationToken">Cancels the prediction.</param>
    /// <returns>The mean, the variances and standard deviations, and the time of each stage.</returns>
    /// <exception cref="NngpInputException"><paramref name="xTest"/> missing, empty or not finite, or with another number of features than the training inputs.</exception>
    /// <exception cref="NonFiniteResultException">A mean or variance that is not finite.</exception>
    /// <exception cref="NngpDeviceException">The GPU or its libraries failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Prediction Predict(Matrix<double> xTest, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var (mean, variance, _, timings) = Compute(xTest, PredictionDetail.Variance, progress, cancellationToken);
        return new Prediction(mean, variance!, timings);
    }

    /// <summary>The posterior mean (M×C) alone: no triangular solve, the cheapest prediction (e.g. for accuracy).</summary>
    /// <param name="xTest">Test inputs, M×d, finite, with the training inputs' d features.</param>
    /// <param name="progress">Told the <see cref="StageProgress"/> of each stage; null for none.</param>
    /// <param name="cancellationToken">Cancels the prediction (as for <see cref="Predict"/>).</param>
    /// <returns>The mean and the time of each stage.</returns>
    /// <exception cref="NngpInputException"><paramref name="xTest"/> missing, empty or not finite, or with another number of features than the training inputs.</exception>
    public MeanPrediction PredictMean(Matrix<double> xTest, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var (mean, _, _, timings) = Compute(xTest, PredictionDetail.Mean, progress, cancellationToken);
        return new MeanPrediction(mean, timings);
    }

    /// <summary>
    /// The posterior mean, variances and standard deviations and the full M×M covariance of the test
    /// points; it holds L⁻¹K_D* of every test point at once (N×M) and is refused, before any work,
    /// where that and two M×M matrices do not fit.
    /// </summary>
    /// <param name="xTest">Test inputs, M×d, finite, with the training inputs' d features.</param>
    /// <param name="progress">Told the <see cref="StageProgress"/> of each stage; null for none.</param>
    /// <param name="cancellationToken">Cancels the prediction (as for <see cref="Predict"/>).</param>
    /// <returns>The mean, variances, standard deviations, the M×M covariance and the time of each stage.</returns>
    /// <exception cref="NngpInputException"><paramref name="xTest"/> invalid, or the covariance's memory more than the device has.</exception>
    public CovariancePrediction PredictCovariance(Matrix<double> xTest, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var (mean, variance, covariance, timings) = Compute(xTest, PredictionDetail.Covariance, progress, cancellationToken);
        return new CovariancePrediction(mean, variance!, covariance!, timings);
    }

    private (Matrix<double> Mean, double[]? Variance, Matrix<double>? Covariance, StageTimings Timings) Compute(
        Matrix<double> xTest, PredictionDetail detail, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InputValidation.CheckMatrix(xTest, "test inputs");
        if (xTest.ColumnCount != _dimension)
        {
            throw new NngpInputException($"test inputs have {xTest.ColumnCount} features, the training inputs {_dimension}");
        }

        var timings = new StageTimings { Progress = progress };
        var (mean, variance, covariance) = _gate.Run(this, () =>
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _model.Predict(xTest, detail, timings, progress, cancellationToken);
        });
        FiniteResults.CheckPrediction(mean.AsColumnMajorArray() ?? mean.ToColumnMajorArray(), mean.RowCount, variance);
        if (covariance is not null)
        {
            FiniteResults.CheckCovariance(covariance.AsColumnMajorArray() ?? covariance.ToColumnMajorArray(), covariance.RowCount);
        }

        return (mean, variance, covariance, timings);
    }

    /// <summary>
    /// Writes the posterior to <paramref name="stream"/> in the posterior file format
    /// (docs/persistence.md: versioned, with a SHA-256 checksum): the network, the fit's settings, X,
    /// Y, α and the Cholesky factor's lower triangle, 8·N(N+1)/2 bytes for the factor. Load it with
    /// <see cref="NngpEngine.LoadPosterior"/>; <c>GpuNngp.Data.PosteriorFile.Save</c> writes a file
    /// atomically. A network with a custom (delegate) activation cannot be saved (an
    /// <see cref="NngpInputException"/> before anything is written).
    /// </summary>
    /// <param name="stream">A writable stream; the file's bytes are written from its position.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="NngpInputException">The network has a custom activation.</exception>
    /// <exception cref="ObjectDisposedException">The posterior or its engine is disposed.</exception>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        NetworkCodec.CheckSavable(Network);
        _gate.Run(this, () =>
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            PosteriorFormat.Write(stream, _model as FittedModel ?? throw new NngpInputException("a PCG posterior holds no factorisation to save: fit with FitOptions.Solver = Cholesky to save it", "solver"), Network, Backend);
            return stream;
        });
    }

    /// <summary>Frees the factor and the training data where they live (after any call of the engine that is using them); a second call does nothing.</summary>
    public void Dispose() => _gate.Release(() =>
    {
        _disposed = true;
        _model.Dispose();
    });
}
