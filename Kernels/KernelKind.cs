namespace GpuNngp;

/// <summary>Which infinite-width kernel to produce.</summary>
public enum KernelKind
{
    /// <summary>The NNGP kernel K: the prior covariance of the network's outputs.</summary>
    Nngp = 0,

    /// <summary>The neural tangent kernel Θ (NTK parameterisation).</summary>
    Ntk = 1,
}
