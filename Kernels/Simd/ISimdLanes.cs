namespace GpuNngp.Kernels.Simd;

/// <summary>
/// A bundle of double lanes that the CPU's layer map evaluates together, so that one implementation
/// of the vector mathematics serves every width. Only IEEE-exact operations (+, −, ×, ÷, √, min, max,
/// comparisons, selection): each lane then equals the scalar path bit for bit, whatever the width.
/// </summary>
/// <remarks>
/// The map is a long dependent chain per entry (square roots, divisions, a 16-term series per layer),
/// so its speed is set by latency, not by width: a bundle of two independent vectors gives the core
/// two chains to interleave, which measured 1.6× (two 256-bit) and 3× (two 512-bit) faster than one
/// 256-bit vector (docs/benchmarks.md).
/// </remarks>
internal interface ISimdLanes<TSelf> : ILanes<TSelf, double>
    where TSelf : struct, ISimdLanes<TSelf>
{
}
