namespace GpuNngp;

/// <summary>The floating-point precision of a convolutional network's spatial kernel on the CPU (<see cref="KernelOptions.Precision"/>).</summary>
public enum KernelPrecision
{
    /// <summary>FP64 throughout (the default): every entry as accurate as the closed forms allow.</summary>
    Double = 0,

    /// <summary>
    /// FP32 for the pairs' slice values on the CPU (twice the SIMD lanes): the points' own runs, their
    /// pixel variances, the readout sums and everything after the kernel (the Dense tail, the solve)
    /// stay FP64. Its measured error and speed-up are in docs/benchmarks.md; dense networks and the
    /// GPU's device kernel ignore it (FP64).
    /// </summary>
    Single = 1,
}
