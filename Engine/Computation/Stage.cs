namespace GpuNngp;

/// <summary>The stages of a fit and a prediction, in the order data flows through them.</summary>
public enum Stage
{
    /// <summary>Copies of the inputs and targets into the provider's memory (device memory on a GPU, native memory on the CPU).</summary>
    Upload,

    /// <summary>K⁰ = X·Xᵀ/d for the training set (syrk).</summary>
    InputGram,

    /// <summary>The per-point diagonals q_l and the fused all-layers map over K_DD.</summary>
    LayerMap,

    /// <summary>Cholesky factorisation of K_DD + σε²I (potrf), jitter retries included.</summary>
    Factorisation,

    /// <summary>α = A⁻¹Y (potrs) and the log marginal likelihood.</summary>
    Solve,

    /// <summary>K_*D: the test Gram (gemm) and its layer map.</summary>
    TestKernel,

    /// <summary>mean = K_*D·α (gemm).</summary>
    Mean,

    /// <summary>var = q(x*) − ‖L⁻¹K_D*‖² (trsm and a reduction).</summary>
    Variance,

    /// <summary>Copies of the results back into managed memory.</summary>
    Download,
}
