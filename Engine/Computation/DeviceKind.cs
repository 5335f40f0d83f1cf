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

    /// <summary>
    /// Every rank of the MPI job this process runs in (started by <c>mpirun -np P</c>): the kernel
    /// block-cyclic across the ranks, factorised by ScaLAPACK; fully connected networks only. Needs
    /// Open MPI 4 and ScaLAPACK (libmpi.so.40, libscalapack-openmpi.so.2.2); an error outside mpirun.
    /// </summary>
    Distributed,
}
