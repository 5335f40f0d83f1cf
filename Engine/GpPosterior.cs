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

    /// <summary>
    /// The posterior mean (M×C) and, unless <paramref name="withVariance"/> is false, the per-point variance.
    /// A cancelled <paramref name="cancellationToken"/> stops it between test tiles and map columns with
    /// <see cref="OperationCanceledException"/>; the posterior stays usable.
    /// </summary>
    public Prediction Predict(Matrix<double> xTest, bool withVariance = true, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        InputValidation.CheckMatrix(xTest, "test inputs");
        if (xTest.ColumnCount != _dimension)
        {
            throw new NngpInputException($"test inputs have {xTest.ColumnCount} features, the training inputs {_dimension}");
        }

        var timings = new StageTimings { Progress = progress };
        var (mean, variance) = DeviceFailures.Guard(() => _model.Predict(xTest, withVariance, timings, progress, cancellationToken));
        FiniteResults.CheckPrediction(mean.AsColumnMajorArray() ?? mean.ToColumnMajorArray(), mean.RowCount, variance);
        return new Prediction(mean, variance, timings);
    }

    public void Dispose() => _model.Dispose();
}
