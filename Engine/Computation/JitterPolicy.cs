namespace GpuNngp;

/// <summary>
/// What to do when K_DD + σε²I does not factorise: add jitter to the diagonal, starting at
/// 1e-10·mean(diag) and growing ×10 up to <see cref="MaxRelativeJitter"/>·mean(diag); past that the
/// fit fails with an <see cref="NngpNumericalException"/>. The jitter used is part of the result
/// (<see cref="GpPosterior.Jitter"/>). The jitter is added on top of the observation noise σε².
/// </summary>
/// <param name="InitialRelativeJitter">The first jitter tried, as a multiple of mean(diag(K_DD)); finite and &gt; 0.</param>
/// <param name="MaxRelativeJitter">The largest jitter tried, as a multiple of mean(diag(K_DD)); finite and ≥ 0 (below the initial one: no jitter is tried, a failed factorisation fails the fit).</param>
/// <param name="Growth">The factor from one jitter to the next; finite and &gt; 1.</param>
public sealed record JitterPolicy(double InitialRelativeJitter = 1e-10, double MaxRelativeJitter = 1e-4, double Growth = 10)
{
    /// <summary>1e-10·mean(diag) growing ×10 up to 1e-4·mean(diag): after the unjittered attempt, at most 7 jittered ones.</summary>
    public static JitterPolicy Default { get; } = new();

    /// <summary>
    /// Tries <paramref name="tryFactor"/> with no jitter, then with growing jitter; returns the
    /// jitter that worked (0 when none was needed).
    /// </summary>
    /// <param name="meanDiagonal">mean of diag(K_DD), the scale of the jitter.</param>
    /// <param name="tryFactor">factorises K_DD + σε²I + jitter·I; false when not positive definite (order of the failing minor in <c>failedMinor</c>).</param>
    internal double Run(double meanDiagonal, Func<double, (bool Success, int FailedMinor)> tryFactor)
    {
        ArgumentNullException.ThrowIfNull(tryFactor);
        Validate();
        if (!double.IsFinite(meanDiagonal))
        {
            throw new NonFiniteResultException(FormattableString.Invariant($"the kernel matrix is not finite (its mean diagonal is {meanDiagonal}): it cannot be factorised"));
        }

        var (success, failedMinor) = tryFactor(0);
        if (success)
        {
            return 0;
        }

        double scale = meanDiagonal > 0 ? meanDiagonal : 1;
        double maximum = MaxRelativeJitter * scale;
        for (double jitter = InitialRelativeJitter * scale; jitter <= maximum * (1 + 1e-12); jitter *= Growth)
        {
            (success, failedMinor) = tryFactor(jitter);
            if (success)
            {
                return jitter;
            }
        }

        throw new NngpNumericalException(
            FormattableString.Invariant(
                $"the kernel matrix is not positive definite (leading minor {failedMinor} failed) even with jitter {maximum:G3} = {MaxRelativeJitter:G3}·mean(diag); add observation noise (the noise parameter) or remove duplicate training points"),
            "noise");
    }

    /// <summary>
    /// Checks that the policy's loop ends: an initial jitter finite and &gt; 0, a maximum finite and ≥ 0 (below the
    /// initial one: no jitter is tried), a growth finite and &gt; 1, and at most <see cref="MaxAttempts"/>
    /// attempts between them, so that a fit can never loop forever. A fit checks its policy before any work.
    /// </summary>
    /// <exception cref="NngpInputException">The policy breaks one of those rules (<see cref="NngpException.Parameter"/> "jitter").</exception>
    public void Validate()
    {
        if (!(double.IsFinite(InitialRelativeJitter) && InitialRelativeJitter > 0 && double.IsFinite(MaxRelativeJitter) && MaxRelativeJitter >= 0))
        {
            throw new NngpInputException(FormattableString.Invariant(
                $"jitter policy: the initial jitter must be finite and > 0 and the maximum finite and ≥ 0, got {InitialRelativeJitter:G3} and {MaxRelativeJitter:G3}"),
                "jitter");
        }

        if (!(double.IsFinite(Growth) && Growth > 1))
        {
            throw new NngpInputException(FormattableString.Invariant($"jitter policy: the growth must be finite and > 1, got {Growth:G3}"), "jitter");
        }

        if (MaxRelativeJitter > InitialRelativeJitter && Math.Log(MaxRelativeJitter / InitialRelativeJitter) / Math.Log(Growth) > MaxAttempts)
        {
            throw new NngpInputException(FormattableString.Invariant(
                $"jitter policy: growing ×{Growth:G3} from {InitialRelativeJitter:G3} to {MaxRelativeJitter:G3} takes more than {MaxAttempts} factorisations"),
                "jitter");
        }
    }

    /// <summary>The most jittered factorisations a policy may try (each is O(N³)).</summary>
    public const int MaxAttempts = 100;
}
