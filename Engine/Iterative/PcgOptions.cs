using System.Globalization;

namespace GpuNngp;

/// <summary>
/// How a fit with <see cref="FitOptions.Solver"/> = <see cref="SolverKind.Pcg"/> iterates
/// (docs/mathematics.md, "Iterative solves"): preconditioned conjugate gradients on all C outputs at
/// once, stopping each output where ‖y_c − A·α_c‖ ≤ <see cref="Tolerance"/>·‖y_c‖; a pivoted-Cholesky
/// preconditioner of rank <see cref="PreconditionerRank"/> applied with the noise by Woodbury; the
/// log marginal likelihood by stochastic Lanczos quadrature over <see cref="Probes"/> Rademacher
/// probes; variances by the same solve on each test point's kernel column. Immutable, validated by the fit.
/// </summary>
public sealed record PcgOptions
{
    /// <summary>The options a PCG fit takes when it is given none.</summary>
    public static PcgOptions Default { get; } = new();

    /// <summary>The relative residual each right-hand side must reach, in (0, 1) (default 1e-6).</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>The most iterations of one solve, ≥ 1 (default 2,000); a solve that needs more is refused with an <see cref="NngpNumericalException"/>.</summary>
    public int MaxIterations { get; init; } = 2000;

    /// <summary>The pivoted-Cholesky preconditioner's rank k, 0 … N (0: no preconditioner; default 100). It costs k kernel columns and N·k memory three times.</summary>
    public int PreconditionerRank { get; init; } = 100;

    /// <summary>Whether the kernel is stored in FP32 (the default) or recomputed at every product (<see cref="GpuNngp.KernelStorage"/>).</summary>
    public KernelStorage KernelStorage { get; init; } = KernelStorage.Fp32;

    /// <summary>Rademacher probes of the log-determinant's stochastic Lanczos quadrature, ≥ 1 (default 16); they ride along the solve for α in the same products.</summary>
    public int Probes { get; init; } = 16;

    /// <summary>The seed of the probes: a fit is deterministic for a given seed (default 0).</summary>
    public int Seed { get; init; }

    /// <summary>Told after every iteration: the system, the iteration and the largest relative residual.</summary>
    public IProgress<PcgIteration>? IterationProgress { get; init; }

    /// <summary>Throws an <see cref="NngpInputException"/> naming the first option whose value is not allowed.</summary>
    internal void Validate(int trainCount)
    {
        if (!double.IsFinite(Tolerance) || Tolerance <= 0 || Tolerance >= 1)
        {
            throw Invalid(nameof(Tolerance), string.Create(CultureInfo.InvariantCulture, $"must be in (0, 1), got {Tolerance}"));
        }

        if (MaxIterations < 1)
        {
            throw Invalid(nameof(MaxIterations), $"must be ≥ 1, got {MaxIterations}");
        }

        if (PreconditionerRank < 0 || PreconditionerRank > trainCount)
        {
            throw Invalid(nameof(PreconditionerRank), $"must be between 0 and the {trainCount} training points, got {PreconditionerRank}");
        }

        if (!Enum.IsDefined(KernelStorage))
        {
            throw Invalid(nameof(KernelStorage), $"is not a KernelStorage ({(int)KernelStorage})");
        }

        if (Probes < 1)
        {
            throw Invalid(nameof(Probes), $"must be ≥ 1, got {Probes}");
        }
    }

    private static NngpInputException Invalid(string option, string problem) =>
        new($"{nameof(PcgOptions)}.{option} {problem}", char.ToLowerInvariant(option[0]) + option[1..]);
}
