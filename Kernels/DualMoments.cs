namespace GpuNngp.Kernels;

/// <summary>
/// The two expectations one activation contributes per entry:
/// F = E[φ(u)φ(v)] (the NNGP step) and Ḟ = E[φ'(u)φ'(v)] (the NTK step).
/// </summary>
internal readonly record struct DualMoments(double F, double FDot);
