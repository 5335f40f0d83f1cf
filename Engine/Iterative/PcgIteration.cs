namespace GpuNngp;

/// <summary>One iteration of a PCG solve, reported through <see cref="PcgOptions.IterationProgress"/>.</summary>
/// <param name="System">What is solved: "mean" (α and the log-likelihood probes), "variance" (a test tile's columns), or "refinement" (the correction of an FP32-stored solve).</param>
/// <param name="Iteration">The iteration, from 1.</param>
/// <param name="RelativeResidual">The largest ‖r_c‖/‖b_c‖ over the right-hand sides not yet converged (of the target columns alone while they run).</param>
/// <param name="Unconverged">How many right-hand sides are still iterating.</param>
public readonly record struct PcgIteration(string System, int Iteration, double RelativeResidual, int Unconverged);
