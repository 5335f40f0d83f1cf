using GpuNngp.Engine;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The input Grams K⁰ = x·x'/d of a training set (and, optionally, of a validation set against it),
/// computed once where the engine computes — host memory on the CPU, device memory on a GPU — and
/// reused by every fit of a hyperparameter search, so that only the layer map, the factorisation
/// and the solves repeat. Pass it to <see cref="NngpEngine.Fit"/> with training inputs of the values
/// it was made from; dispose it to free that memory. It is matched by the matrices' values (a SHA-256
/// fingerprint taken when it is made), not by the objects: a matrix changed in place afterwards no
/// longer matches (a fit refuses the cache, a prediction computes its cross Gram afresh).
/// </summary>
public sealed class InputGramCache : IDisposable
{
    private readonly IComputeProvider _provider;
    private readonly EngineGate _gate;
    private readonly MatrixFingerprint _trainFingerprint;
    private readonly MatrixFingerprint? _validationFingerprint;
    private readonly ProviderBuffer _trainGram;
    private readonly ProviderBuffer? _validationGram;
    private bool _disposed;

    internal InputGramCache(IComputeProvider provider, EngineGate gate, Matrix<double> train, Matrix<double>? validation)
    {
        _provider = provider;
        _gate = gate;
        Train = train;
        Validation = validation;
        _trainFingerprint = MatrixFingerprint.Of(train);
        _validationFingerprint = validation is null ? null : MatrixFingerprint.Of(validation);
        int n = train.RowCount, d = train.ColumnCount;
        using var x = provider.Upload(HostPreparation.ColumnMajor(train), "the training inputs");
        _trainGram = provider.Allocate(ColumnMajor.Count(n, n), "the cached input Gram K⁰_DD");
        try
        {
            provider.SymmetricRankK(n, d, 1.0 / d, x, _trainGram);
            if (validation is not null)
            {
                int v = validation.RowCount;
                using var xv = provider.Upload(HostPreparation.ColumnMajor(validation), "the validation inputs");
                _validationGram = provider.Allocate(ColumnMajor.Count(n, v), "the cached validation Gram K⁰_DV");
                provider.Multiply(false, true, n, v, d, 1.0 / d, x, xv, 0, _validationGram);
            }

            provider.Synchronize();
        }
        catch
        {
            FreeBuffers();
            throw;
        }
    }

    /// <summary>The training inputs the Gram was computed from.</summary>
    public Matrix<double> Train { get; }

    /// <summary>The validation inputs whose Gram against the training set is cached, if any.</summary>
    public Matrix<double>? Validation { get; }

    /// <summary>True when this cache was computed by <paramref name="provider"/> (its buffers live there).</summary>
    internal bool BelongsTo(IComputeProvider provider) => ReferenceEquals(provider, _provider);

    /// <summary>
    /// Refuses this cache for a fit on <paramref name="x"/> by <paramref name="provider"/>: disposed
    /// (<see cref="ObjectDisposedException"/>), made by another engine, or made from other values
    /// (<see cref="ArgumentException"/> for the parameter <paramref name="parameter"/>).
    /// </summary>
    internal void CheckFor(IComputeProvider provider, Matrix<double> x, string parameter)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!BelongsTo(provider))
        {
            throw new ArgumentException("the input Gram cache was made by another engine", parameter);
        }

        if (!_trainFingerprint.Matches(x))
        {
            throw new ArgumentException(
                "the input Gram cache was made from other training inputs (or their values changed since CacheInputGram)", parameter);
        }
    }

    /// <summary>K⁰_DD, lower triangle (the upper one is undefined), in the provider's memory.</summary>
    internal ProviderBuffer TrainGram(IComputeProvider provider)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return BelongsTo(provider) ? _trainGram : throw new ArgumentException("the input Gram cache was made by another engine");
    }

    /// <summary>
    /// K⁰_DV when <paramref name="x"/> holds the cached validation inputs' values, else null (the
    /// caller computes the cross Gram): also once the cache is disposed.
    /// </summary>
    internal ProviderBuffer? ValidationGramFor(IComputeProvider provider, Matrix<double> x) =>
        !_disposed && BelongsTo(provider) && _validationFingerprint is not null && _validationFingerprint.Matches(x) ? _validationGram : null;

    /// <summary>Frees the cached Grams (after any call of the engine that is using them); a disposed cache is refused by <see cref="NngpEngine.Fit"/>.</summary>
    public void Dispose() => _gate.Release(FreeBuffers);

    private void FreeBuffers()
    {
        _disposed = true;
        _trainGram?.Dispose();
        _validationGram?.Dispose();
    }
}
