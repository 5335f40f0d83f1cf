namespace GpuNngp;

/// <summary>
/// How <see cref="NngpEngine.FitDynamics"/> follows gradient descent (docs/mathematics.md, "Training
/// dynamics"): the regime (<see cref="KernelOptions.Kind"/>: <see cref="KernelKind.Ntk"/> trains all
/// layers and needs Θ and K, <see cref="KernelKind.Nngp"/> trains only the readout), the learning rate,
/// the diagonal regulariser and the tolerance below which an eigenvalue proves the training kernel
/// indefinite, on top of the kernel's options (quadrature, lookup tables, progress, memory cap, threads).
/// Immutable and validated like them: <c>new DynamicsOptions { Kind = KernelKind.Ntk, LearningRate = 0.5 }</c>.
/// </summary>
public sealed record DynamicsOptions : KernelOptions
{
    /// <summary>The options a call takes when it is given none: the NNGP regime, η = 1, no regulariser.</summary>
    public static new DynamicsOptions Default { get; } = new();

    /// <summary>
    /// η, the learning rate of gradient flow on L = 1/(2NC)·Σ(f − y)²: time enters only as η·t/(N·C);
    /// finite and &gt; 0 (default 1).
    /// </summary>
    public double LearningRate { get; init; } = 1;

    /// <summary>
    /// Neural Tangents' <c>diag_reg</c>: DiagReg·mean(diag K_DD) is added to the diagonal of each training
    /// kernel (K_DD, and Θ_DD in the NTK regime), its own mean diagonal for each; finite and ≥ 0 (default 0).
    /// </summary>
    public double DiagReg { get; init; }

    /// <summary>
    /// An eigenvalue of the training kernel below −EigenvalueTolerance·λ_max makes it indefinite (refused);
    /// eigenvalues up to +EigenvalueTolerance·λ_max count as zero (clamped; at t = ∞ dropped, as a
    /// pseudo-inverse). Finite, in [0, 1) (default 1e-9).
    /// </summary>
    public double EigenvalueTolerance { get; init; } = 1e-9;

    private protected override string OptionsName => nameof(DynamicsOptions);

    internal override void Validate()
    {
        base.Validate();
        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
        {
            throw Invalid(nameof(LearningRate), FormattableString.Invariant($"must be finite and > 0, got {LearningRate}"));
        }

        if (!double.IsFinite(DiagReg) || DiagReg < 0)
        {
            throw Invalid(nameof(DiagReg), FormattableString.Invariant($"must be finite and ≥ 0, got {DiagReg}"));
        }

        if (!double.IsFinite(EigenvalueTolerance) || EigenvalueTolerance < 0 || EigenvalueTolerance >= 1)
        {
            throw Invalid(nameof(EigenvalueTolerance), FormattableString.Invariant($"must be in [0, 1), got {EigenvalueTolerance}"));
        }
    }
}
