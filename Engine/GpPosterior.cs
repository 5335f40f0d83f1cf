using GpuNngp.Engine;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Pipeline;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The exact GP posterior of a fitted training set: the factorised K_DD + σε²I and α = A⁻¹Y stay
/// where they were computed (on the GPU, device memory), so predictions are one pass over the test
/// kernel. Dispose it to free that memory.
/// </summary>
public sealed class GpPosterior : IDisposable
{
    private readonly FittedModel _model;
    private readonly int _dimension;

    internal GpPosterior(FittedModel model, string backend, int trainCount, int dimension, int outputs, double noise)
    {
        _model = model;
        _dimension = dimension;
        Backend = backend;
        TrainCount = trainCount;
        Outputs = outputs;
        Noise = noise;
    }

    /// <summary>Where it was computed, e.g. "CPU (2 threads, OpenBLAS ...)".</summary>
    public string Backend { get; }

    public int TrainCount { get; }

    public int Outputs { get; }

    /// <summary>σε², the observation noise added to the diagonal.</summary>
    public double Noise { get; }

    /// <summary>The jitter that had to be added on top of σε² for the factorisation to succeed (0 if none).</summary>
    public double Jitter => _model.Jitter;

    /// <summary>log p(Y | X), summed over the outputs.</summary>
    public double LogMarginalLikelihood => _model.LogMarginalLikelihood;

    /// <summary>Seconds per stage of the fit.</summary>
    public StageTimings FitTimings => _model.Timings;

    /// <summary>The posterior mean (M×C) and the variance and standard deviation of each test point.</summary>
    public Prediction Predict(Matrix<double> xTest, IProgress<StageProgress>? progress = null)
    {
        var (mean, variance, _, timings) = Compute(xTest, PredictionDetail.Variance, progress);
        return new Prediction(mean, variance!, timings);
    }

    /// <summary>The posterior mean (M×C) alone: no triangular solve, the cheapest prediction (e.g. for accuracy).</summary>
    public MeanPrediction PredictMean(Matrix<double> xTest, IProgress<StageProgress>? progress = null)
    {
        var (mean, _, _, timings) = Compute(xTest, PredictionDetail.Mean, progress);
        return new MeanPrediction(mean, timings);
    }

    /// <summary>
    /// The posterior mean, variances and standard deviations and the full M×M covariance of the test
    /// points; it holds L⁻¹K_D* of every test point at once (N×M) and is refused, before any work,
    /// where that and two M×M matrices do not fit.
    /// </summary>
    public CovariancePrediction PredictCovariance(Matrix<double> xTest, IProgress<StageProgress>? progress = null)
    {
        var (mean, variance, covariance, timings) = Compute(xTest, PredictionDetail.Covariance, progress);
        return new CovariancePrediction(mean, variance!, covariance!, timings);
    }

    private (Matrix<double> Mean, double[]? Variance, Matrix<double>? Covariance, StageTimings Timings) Compute(
        Matrix<double> xTest, PredictionDetail detail, IProgress<StageProgress>? progress)
    {
        InputValidation.CheckMatrix(xTest, "test inputs");
        if (xTest.ColumnCount != _dimension)
        {
            throw new NngpInputException($"test inputs have {xTest.ColumnCount} features, the training inputs {_dimension}");
        }

        var timings = new StageTimings { Progress = progress };
        var (mean, variance, covariance) = DeviceFailures.Guard(() => _model.Predict(xTest, detail, timings, progress));
        FiniteResults.CheckPrediction(mean.AsColumnMajorArray() ?? mean.ToColumnMajorArray(), mean.RowCount, variance);
        if (covariance is not null)
        {
            FiniteResults.CheckCovariance(covariance.AsColumnMajorArray() ?? covariance.ToColumnMajorArray(), covariance.RowCount);
        }

        return (mean, variance, covariance, timings);
    }

    public void Dispose() => _model.Dispose();
}
