using GpuNngp.Engine;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Persistence;
using GpuNngp.Engine.Pipeline;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The exact GP posterior of a fitted training set: the factorised K_DD + σε²I and α = A⁻¹Y stay
/// where they were computed (on the GPU, device memory), so predictions are one pass over the test
/// kernel. <see cref="Save(Stream)"/> keeps it for later (<see cref="NngpEngine.LoadPosterior"/>).
/// Calls wait for the engine's other calls (one at a time per engine); dispose it to free that
/// memory, after which <see cref="Predict"/> and <see cref="Save(Stream)"/> throw
/// <see cref="ObjectDisposedException"/>, as they do once its engine is disposed.
/// </summary>
public sealed class GpPosterior : IDisposable
{
    private readonly FittedModel _model;
    private readonly EngineGate _gate;
    private readonly int _dimension;
    private bool _disposed;

    internal GpPosterior(FittedModel model, Network network, EngineGate gate, string backend, int trainCount, int dimension, int outputs, double noise)
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

    /// <summary>The posterior mean (M×C) and, unless <paramref name="withVariance"/> is false, the per-point variance.</summary>
    public Prediction Predict(Matrix<double> xTest, bool withVariance = true, IProgress<StageProgress>? progress = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InputValidation.CheckMatrix(xTest, "test inputs");
        if (xTest.ColumnCount != _dimension)
        {
            throw new NngpInputException($"test inputs have {xTest.ColumnCount} features, the training inputs {_dimension}");
        }

        var timings = new StageTimings { Progress = progress };
        var (mean, variance) = _gate.Run(this, () =>
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _model.Predict(xTest, withVariance, timings, progress);
        });
        FiniteResults.CheckPrediction(mean.AsColumnMajorArray() ?? mean.ToColumnMajorArray(), mean.RowCount, variance);
        return new Prediction(mean, variance, timings);
    }

    /// <summary>
    /// Writes the posterior to <paramref name="stream"/> in the posterior file format
    /// (docs/persistence.md: versioned, with a SHA-256 checksum): the network, the fit's settings, X,
    /// Y, α and the Cholesky factor's lower triangle, 8·N(N+1)/2 bytes for the factor. Load it with
    /// <see cref="NngpEngine.LoadPosterior"/>; <c>GpuNngp.Data.PosteriorFile.Save</c> writes a file
    /// atomically. A network with a custom (delegate) activation cannot be saved (an
    /// <see cref="NngpInputException"/> before anything is written).
    /// </summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        NetworkCodec.CheckSavable(Network);
        _gate.Run(this, () =>
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            PosteriorFormat.Write(stream, _model, Network, Backend);
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
