namespace GpuNngp.Experiments.Selection;

/// <summary>What <see cref="MarginalLikelihoodOptimizer.Maximize"/> found, and where it started.</summary>
/// <param name="Point">The best point evaluated (the depth is the start's).</param>
/// <param name="LogMarginalLikelihood">log p(Y | X) there, never below <paramref name="StartLogMarginalLikelihood"/>.</param>
/// <param name="Start">The starting point.</param>
/// <param name="StartLogMarginalLikelihood">log p(Y | X) at the start.</param>
/// <param name="Evaluations">Evaluations of the likelihood and its gradient.</param>
/// <param name="Stopped">Why the optimiser stopped, e.g. "BFGS exit condition RelativeGradient", or the reason its line search stopped.</param>
public sealed record LikelihoodOptimum(SearchPoint Point, double LogMarginalLikelihood, SearchPoint Start, double StartLogMarginalLikelihood, int Evaluations, string Stopped);
