using GpuNngp.Engine;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Pipeline;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The infinite ensemble of infinitely wide networks trained by gradient flow on the squared loss
/// (<see cref="NngpEngine.FitDynamics"/>): one eigendecomposition of the training kernel, held in the
/// engine's memory (device memory on a GPU), from which <see cref="Predict"/> gives the mean and
/// variance at any times t ≥ 0 and t = ∞ (docs/mathematics.md, "Training dynamics"). Dispose it to
/// free that memory; calls share the engine's lock, and after the engine is disposed every call throws
/// <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed class GradientDescentDynamics : IDisposable
{
    private readonly DynamicsModel _model;
    private readonly EngineGate _gate;
    private bool _disposed;

    internal GradientDescentDynamics(DynamicsModel model, EngineGate gate, Network network, DynamicsOptions options, int trainCount, int dimension, int outputs)
    {
        _model = model;
        _gate = gate;
        Network = network;
        Options = options;
        TrainCount = trainCount;
        Dimension = dimension;
        Outputs = outputs;
    }

    /// <summary>The architecture.</summary>
    public Network Network { get; }

    /// <summary>The options it was fitted with (regime, learning rate, regulariser, tolerance).</summary>
    public DynamicsOptions Options { get; }

    /// <summary>N, the training points.</summary>
    public int TrainCount { get; }

    /// <summary>d, the features per point.</summary>
    public int Dimension { get; }

    /// <summary>C, the outputs.</summary>
    public int Outputs { get; }

    /// <summary>The eigenvalues of the training kernel gradient descent follows (Θ_DD, or K_DD in the NNGP regime), ascending, clamped at 0.</summary>
    public IReadOnlyList<double> Eigenvalues => _model.Eigenvalues;

    /// <summary>Seconds per stage of the fit (the kernels, the eigendecomposition under <see cref="Stage.Factorisation"/>, the projections under <see cref="Stage.Solve"/>).</summary>
    public StageTimings FitTimings => _model.Timings;

    /// <summary>
    /// The ensemble's mean (M×C) and per-point variance (M) at <paramref name="xTest"/> at each of
    /// <paramref name="times"/> (t ≥ 0; <see cref="double.PositiveInfinity"/> for the end of
    /// training), and the M×M covariance when <paramref name="covariance"/>: the test kernels are
    /// computed once, each time costs O(N·M·C) and, in the NTK regime, one N×N by N×M product.
    /// </summary>
    /// <param name="xTest">Test inputs, M×d, finite.</param>
    /// <param name="times">At least one time; each ≥ 0 (not NaN); +∞ allowed.</param>
    /// <param name="covariance">Also the M×M covariance at each time.</param>
    /// <param name="cancellationToken">Cancels between kernels, map columns and times.</param>
    /// <returns>One mean, variance (and covariance) per time, in the order given.</returns>
    /// <exception cref="NngpInputException">No times, a negative or NaN time, test inputs missing, empty, not finite or of another number of features.</exception>
    /// <exception cref="ObjectDisposedException">It or its engine is disposed.</exception>
    public DynamicsPrediction Predict(Matrix<double> xTest, IReadOnlyList<double> times, bool covariance = false, CancellationToken cancellationToken = default)
    {
        var (copy, means, variances, covariances, timings) = Run(xTest, times, covariance ? PredictionDetail.Covariance : PredictionDetail.Variance, cancellationToken);
        return new DynamicsPrediction(copy, means, variances!, covariances, timings);
    }

    /// <summary>
    /// The ensemble's mean (M×C) alone at <paramref name="xTest"/> at each of <paramref name="times"/>:
    /// what <see cref="Predict"/> gives without the variances (in the NTK regime neither the NNGP test
    /// kernel nor the per-time N×N by N×M product). All times come from one product of the projected
    /// test kernel with the times' gains.
    /// </summary>
    /// <param name="xTest">Test inputs, M×d, finite.</param>
    /// <param name="times">At least one time; each ≥ 0 (not NaN); +∞ allowed.</param>
    /// <param name="cancellationToken">Cancels between kernels, map columns and chunks of times.</param>
    /// <returns>One mean per time, in the order given.</returns>
    /// <exception cref="NngpInputException">No times, a negative or NaN time, test inputs missing, empty, not finite or of another number of features.</exception>
    /// <exception cref="ObjectDisposedException">It or its engine is disposed.</exception>
    public DynamicsMeanPrediction PredictMean(Matrix<double> xTest, IReadOnlyList<double> times, CancellationToken cancellationToken = default)
    {
        var (copy, means, _, _, timings) = Run(xTest, times, PredictionDetail.Mean, cancellationToken);
        return new DynamicsMeanPrediction(copy, means, timings);
    }

    private (double[] Times, Matrix<double>[] Means, double[][]? Variances, Matrix<double>[]? Covariances, StageTimings Timings) Run(
        Matrix<double> xTest, IReadOnlyList<double> times, PredictionDetail detail, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(times);
        CheckTimes(times);
        InputValidation.CheckMatrix(xTest, "test inputs");
        if (xTest.ColumnCount != Dimension)
        {
            throw new NngpInputException($"test inputs have {xTest.ColumnCount} features, the training inputs {Dimension}");
        }

        double[] copy = [.. times];
        var timings = new StageTimings();
        var (means, variances, covariances) = _gate.Run(this, () =>
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _model.Predict(xTest, copy, detail, timings, cancellationToken);
        });
        return (copy, means, variances, covariances, timings);
    }

    /// <summary>Refuses an empty list and negative or NaN times, naming the first.</summary>
    internal static void CheckTimes(IReadOnlyList<double> times)
    {
        if (times.Count == 0)
        {
            throw new NngpInputException("gradient-descent predictions need at least one time t", "times");
        }

        foreach (double t in times)
        {
            if (double.IsNaN(t) || t < 0)
            {
                throw new NngpInputException(FormattableString.Invariant($"a gradient-descent time must be ≥ 0 (or ∞), got {t}"), "times");
            }
        }
    }

    /// <summary>Frees the eigendecomposition's memory; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _gate.Release(() =>
    {
        _disposed = true;
        _model.Dispose();
    });
}
