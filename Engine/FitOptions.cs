namespace GpuNngp;

/// <summary>
/// How <see cref="NngpEngine.Fit"/> fits a posterior: the observation noise, the jitter policy and a
/// cached input Gram on top of the kernel's options (<see cref="KernelOptions"/>: kind, quadrature,
/// lookup tables, progress, memory cap, threads). Immutable and validated like them:
/// <c>engine.Fit(net, x, y, new FitOptions { Noise = 1e-3 })</c>.
/// </summary>
public sealed record FitOptions : KernelOptions
{
    /// <summary>The options a fit takes when it is given none: no noise, the default jitter policy.</summary>
    public static new FitOptions Default { get; } = new();

    /// <summary>σε², the observation noise added to the diagonal of K_DD; finite and ≥ 0 (default 0).</summary>
    public double Noise { get; init; }

    /// <summary>What to do when K_DD + σε²I does not factorise (<see cref="JitterPolicy.Default"/> unless given).</summary>
    public JitterPolicy Jitter { get; init; } = JitterPolicy.Default;

    /// <summary>
    /// The input Gram of the same training inputs, computed once by <see cref="NngpEngine.CacheInputGram"/>
    /// on the same engine, for fits that differ only in architecture and noise; null computes it.
    /// </summary>
    public InputGramCache? InputGram { get; init; }

    /// <summary>How the fit solves for α: the dense Cholesky factorisation (the default) or preconditioned conjugate gradients (<see cref="Pcg"/>).</summary>
    public SolverKind Solver { get; init; } = SolverKind.Cholesky;

    /// <summary>How <see cref="SolverKind.Pcg"/> iterates (tolerance, preconditioner rank, kernel storage); read only with that solver.</summary>
    public PcgOptions Pcg { get; init; } = PcgOptions.Default;

    private protected override string OptionsName => nameof(FitOptions);

    internal override void Validate()
    {
        base.Validate();
        if (!double.IsFinite(Noise) || Noise < 0)
        {
            throw Invalid(nameof(Noise), FormattableString.Invariant($"must be finite and ≥ 0, got {Noise}"));
        }

        if (Jitter is null)
        {
            throw Invalid(nameof(Jitter), "must not be null (JitterPolicy.Default is the default)");
        }

        if (!Enum.IsDefined(Solver) || Pcg is null)
        {
            throw Invalid(Pcg is null ? nameof(Pcg) : nameof(Solver), Pcg is null ? "must not be null (PcgOptions.Default is the default)" : $"is not a SolverKind ({(int)Solver})");
        }

        try
        {
            Jitter.Validate();
        }
        catch (NngpInputException e)
        {
            throw new NngpInputException($"{OptionsName}.{nameof(Jitter)}: {e.Message}", Parameter(nameof(Jitter)));
        }
    }
}
