namespace GpuNngp;

/// <summary>
/// Progress of a long stage, reported through the <see cref="IProgress{T}"/> a fit, prediction or
/// kernel call takes: each timed stage reports 0 as it starts, and the long ones (the layer map)
/// report fractions on the way.
/// </summary>
/// <param name="Stage">The stage running.</param>
/// <param name="Fraction">The fraction of that stage done, 0 to 1.</param>
public readonly record struct StageProgress(Stage Stage, double Fraction);
