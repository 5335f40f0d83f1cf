namespace GpuNngp;

/// <summary>Where the kernel of a PCG fit (<see cref="PcgOptions.KernelStorage"/>) comes from at each product.</summary>
public enum KernelStorage
{
    /// <summary>
    /// K_DD stored once in FP32 in host memory (4·N² bytes, half of FP64), each tile converted to FP64
    /// for its product; the answer is then checked, and refined, against the FP64 kernel recomputed
    /// once per refinement round, so the tolerance holds for the exact kernel.
    /// </summary>
    Fp32,

    /// <summary>K_DD recomputed tile by tile (input Gram and layer map) at every product: FP64 throughout, memory of one tile.</summary>
    Recompute,
}
