using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// The steps of a sampled network between its gemms, over one provider's buffers: a window's gather
/// (im2col, average pooling) and its transpose, the bias, the activation with φ′, products and sums
/// of gradients, and the contraction of Gram matrices into the tangent kernel. The gemms are the
/// provider's own <see cref="IComputeProvider.Multiply"/> (the host BLAS on the CPU, cuBLAS on a GPU);
/// these run as loops on the CPU (<see cref="HostSampledOperations"/>) and as ILGPU kernels on a device
/// (<see cref="DeviceSampledOperations"/>), element for element the same arithmetic. Tensors are
/// column-major channels × (pixel, point) (<see cref="TensorShape"/>).
/// </summary>
internal abstract class SampledOperations(IComputeProvider provider)
{
    /// <summary>Where the buffers live and the gemms run.</summary>
    public IComputeProvider Provider { get; } = provider;

    /// <summary>True when a custom activation's delegates can run here (the host only).</summary>
    public abstract bool RunsCustomActivations { get; }

    /// <summary>The indices where the operations read them.</summary>
    public abstract IndexTable Table(int[] values);

    /// <summary>
    /// With <paramref name="patches"/>: output (offsets·C × P_out·N) = the im2col matrix of the input
    /// (C × P_in·N), zeros on padding; otherwise the window mean, output (C × P_out·N) =
    /// <paramref name="scale"/>·Σ over each window.
    /// </summary>
    public abstract void WindowGather(ProviderBuffer input, ProviderBuffer output, SampledWindow window, int channels, int points, double scale, bool patches);

    /// <summary>The transpose of <see cref="WindowGather"/>: the input gradient (C × P_in·N) from the output's, times <paramref name="scale"/>.</summary>
    public abstract void WindowScatter(ProviderBuffer outputGradient, ProviderBuffer inputGradient, SampledWindow window, int channels, int points, double scale, bool patches);

    /// <summary>z[i] += scale·bias[i mod rows] over all of z.</summary>
    public abstract void AddBias(ProviderBuffer z, ProviderBuffer bias, int rows, double scale);

    /// <summary>output = φ(z), and derivative = φ′(z) where given (a built-in activation; a custom one only on the host).</summary>
    public abstract void Activate(ProviderBuffer z, ProviderBuffer output, ProviderBuffer? derivative, UnitActivation activation);

    /// <summary>target = a ⊙ b (all three of one length).</summary>
    public abstract void Product(ProviderBuffer target, ProviderBuffer a, ProviderBuffer b);

    /// <summary>target += source (of one length).</summary>
    public abstract void Accumulate(ProviderBuffer target, ProviderBuffer source);

    /// <summary>
    /// sum[x, x′] += Σ_{p,q} G·(weightScale·A + bias) over the tile of rows rowStart … and columns
    /// columnStart … of the points' N × N sum, G and A the tile's (P·rows) × (P·columns) Gram
    /// matrices (<see cref="Kernels.Device.BlockContractionKernel"/>).
    /// </summary>
    public abstract void Contract(
        ProviderBuffer sum, ProviderBuffer gradientGram, ProviderBuffer inputGram, int pixels, int rowStart, int rowCount, int columnStart, int columnCount, int points, double weightScale, double bias);
}
