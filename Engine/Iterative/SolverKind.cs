namespace GpuNngp;

/// <summary>How a fit solves (K_DD + σε²I)·α = Y: <see cref="FitOptions.Solver"/>.</summary>
public enum SolverKind
{
    /// <summary>The dense Cholesky factorisation of the N×N matrix (the default): exact, N² memory in FP64.</summary>
    Cholesky,

    /// <summary>
    /// Preconditioned conjugate gradients (<see cref="PcgOptions"/>): products with the kernel only, the
    /// kernel recomputed tile by tile or stored in FP32, for training sets whose N×N FP64 matrix does not fit.
    /// </summary>
    Pcg,
}
