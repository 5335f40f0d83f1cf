using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The input Grams K⁰ = x·x'/d of a training set (and, optionally, of a validation set against it),
/// computed once where the engine computes — host memory on the CPU, device memory on a GPU — and
/// reused by every fit of a hyperparameter search, so that only the layer map, the factorisation
/// and the solves repeat. Pass it to <see cref="NngpEngine.Fit"/> with the same matrices it was
/// made from; dispose it to free that memory. Made by <see cref="NngpEngine.CacheInputGram"/>.
/// </summary>
public sealed class InputGramCache : IDisposable
{
    private readonly IComputeProvider _provider;
    private readonly ProviderBuffer _trainGram;
    private readonly ProviderBuffer? _validationGram;

    internal InputGramCache(IComputeProvider provider, Matrix<double> train, Matrix<double>? validation)
    {
        _provider = provider;
        Train = train;
        Validation = validation;
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
            Dispose();
            throw;
        }
    }

    /// <summary>The training inputs the Gram was computed from.</summary>
    public Matrix<double> Train { get; }

    /// <summary>The validation inputs whose Gram against the training set is cached, if any.</summary>
    public Matrix<double>? Validation { get; }

    /// <summary>True when this cache was computed by <paramref name="provider"/> (its buffers live there).</summary>
    internal bool BelongsTo(IComputeProvider provider) => ReferenceEquals(provider, _provider);

    /// <summary>K⁰_DD, lower triangle (the upper one is undefined), in the provider's memory.</summary>
    internal ProviderBuffer TrainGram(IComputeProvider provider) =>
        BelongsTo(provider) ? _trainGram : throw new ArgumentException("the input Gram cache was made by another engine");

    /// <summary>K⁰_DV when <paramref name="x"/> is the cached validation matrix (the same object), else null.</summary>
    internal ProviderBuffer? ValidationGramFor(IComputeProvider provider, Matrix<double> x) =>
        BelongsTo(provider) && Validation is not null && ReferenceEquals(x, Validation) ? _validationGram : null;

    /// <summary>Frees the cached Grams.</summary>
    public void Dispose()
    {
        _trainGram?.Dispose();
        _validationGram?.Dispose();
    }
}
