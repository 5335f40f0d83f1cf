using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Computation;

/// <summary>
/// The input Grams K⁰ = x·x'/d of a training set (and, optionally, of a validation set against it),
/// computed once where the engine computes — host memory on the CPU, device memory on a GPU — and
/// reused by every fit of a hyperparameter search, so that only the layer map, the factorisation
/// and the solves repeat. Pass it to <see cref="NngpEngine.Fit"/> with the same matrices it was
/// made from; dispose it to free that memory.
/// </summary>
public abstract class InputGramCache : IDisposable
{
    private protected InputGramCache(Matrix<double> train, Matrix<double>? validation)
    {
        Train = train;
        Validation = validation;
    }

    /// <summary>The training inputs the Gram was computed from.</summary>
    public Matrix<double> Train { get; }

    /// <summary>The validation inputs whose Gram against the training set is cached, if any.</summary>
    public Matrix<double>? Validation { get; }

    /// <summary>True when <paramref name="x"/> is the cached validation matrix (the same object).</summary>
    internal bool HoldsValidation(Matrix<double> x) => Validation is not null && ReferenceEquals(x, Validation);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
