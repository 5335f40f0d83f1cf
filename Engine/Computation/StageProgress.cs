namespace GpuNngp;

/// <summary>Progress of a long stage: the fraction done, 0 to 1.</summary>
public readonly record struct StageProgress(Stage Stage, double Fraction);
