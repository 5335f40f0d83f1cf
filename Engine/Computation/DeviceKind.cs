namespace GpuNngp;

/// <summary>Where to compute.</summary>
public enum DeviceKind
{
    /// <summary>An NVIDIA GPU when ILGPU finds one and cuBLAS/cuSOLVER load; the CPU otherwise.</summary>
    Auto,

    /// <summary>The CPU: BLAS/LAPACK and parallel loops.</summary>
    Cpu,

    /// <summary>An NVIDIA GPU, or an error saying why none is usable.</summary>
    Gpu,
}
