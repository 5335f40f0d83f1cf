namespace GpuNngp;

/// <summary>How a PCG fit converged (<see cref="GpPosterior.Pcg"/>): iterations, residuals, the log-likelihood's stochastic error.</summary>
/// <param name="Iterations">Iterations of the solve for α (the FP32 kernel's and every refinement's together).</param>
/// <param name="RelativeResidual">The largest ‖y_c − A·α_c‖/‖y_c‖ over the C outputs, A the FP64 kernel plus noise.</param>
/// <param name="Refinements">Correction rounds after the FP64 kernel's residual check (FP32 storage needs one or more at tight tolerances; recomputed storage only where the recursive residual drifted).</param>
/// <param name="PreconditionerRank">The rank of the pivoted-Cholesky preconditioner actually built (at most the one asked for).</param>
/// <param name="Storage">Where the kernel came from at each product.</param>
/// <param name="LogMarginalLikelihoodStandardError">
/// The standard error of <see cref="GpPosterior.LogMarginalLikelihood"/> from the spread of the
/// stochastic Lanczos quadrature's probes (its Lanczos truncation is below it at the probes' tolerance).
/// </param>
/// <param name="Seconds">Seconds of the whole fit: the preconditioner, the stored kernel, the iterations.</param>
public sealed record PcgSummary(
    int Iterations, double RelativeResidual, int Refinements, int PreconditionerRank, KernelStorage Storage, double LogMarginalLikelihoodStandardError, double Seconds);
