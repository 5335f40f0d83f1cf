namespace GpuNngp;

/// <summary>
/// How <see cref="NngpEngine.MonteCarloKernel"/> estimates a finite-width kernel: <see cref="Samples"/>
/// networks of <see cref="Width"/> units per layer drawn in the NTK parameterisation from
/// <see cref="Seed"/>. Immutable: make one with an object initialiser
/// (<c>new MonteCarloOptions { Width = 512, Samples = 8, Seed = 1 }</c>); the engine validates it before
/// any work, refusing a bad value with an <see cref="NngpInputException"/> that names the option.
/// </summary>
public sealed record MonteCarloOptions
{
    /// <summary>The options a call takes when it is given none.</summary>
    public static MonteCarloOptions Default { get; } = new();

    /// <summary>W, the units of every Dense layer (hidden and readout) and the channels of every Conv, ≥ 1 (default 256).</summary>
    public int Width { get; init; } = 256;

    /// <summary>S, the networks drawn (independent initialisations), ≥ 1 (default 16).</summary>
    public int Samples { get; init; } = 16;

    /// <summary>The seed of the draws: the same seed gives the same estimate, whatever the thread count.</summary>
    public int Seed { get; init; }

    /// <summary>The empirical NNGP (the default: the readout's covariance) or the empirical NTK (J·Jᵀ).</summary>
    public KernelKind Kind { get; init; } = KernelKind.Nngp;

    /// <summary>Told 0 as the estimate starts (<see cref="Stage.LayerMap"/>) and the fraction of draws done after each draw.</summary>
    public IProgress<StageProgress>? Progress { get; init; }

    /// <summary>Throws an <see cref="NngpInputException"/> naming the first option whose value is not allowed.</summary>
    internal void Validate()
    {
        if (Width < 1)
        {
            throw new NngpInputException($"{nameof(MonteCarloOptions)}.{nameof(Width)} must be ≥ 1, got {Width}", "width");
        }

        if (Samples < 1)
        {
            throw new NngpInputException($"{nameof(MonteCarloOptions)}.{nameof(Samples)} must be ≥ 1, got {Samples}", "samples");
        }

        if (!Enum.IsDefined(Kind))
        {
            throw new NngpInputException($"{nameof(MonteCarloOptions)}.{nameof(Kind)} is not a KernelKind ({(int)Kind})", "kind");
        }
    }
}
