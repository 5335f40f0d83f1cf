using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// A convolution on a spatial record (DESIGN.md §7, Neural Tangents' <c>stax.Conv</c> in the NTK
/// parameterisation): K′_ij = σb² + σw²·(1/(k_h k_w))·Σ_δ K̃_{i+δ, j+δ}, the same offset δ on both
/// sides (the filter is shared by all positions), K̃ = 0 outside the image for same and valid
/// padding, wrapped for circular, output pixels at multiples of the strides; Θ′ = K′ + σw²·W(Θ̃).
/// </summary>
internal sealed class ConvOperation(ConvParameters parameters) : LinearLayerOperation
{
    public ConvParameters Parameters { get; } = parameters ?? throw new ArgumentNullException(nameof(parameters));

    public override string Description => Parameters.ToString();

    public override KernelRecord Apply(KernelRecord input, QuadratureRule quadrature)
    {
        SpatialShape shape = SpatialLinearMap.RequireShape(input, Description);
        ConvParameters p = Parameters;
        var window = new SpatialWindow(shape, p.FilterHeight, p.FilterWidth, p.StrideHeight, p.StrideWidth, p.Padding, Description);
        int inPixels = shape.Pixels, outPixels = window.Output.Pixels, offsets = window.Offsets;
        double scale = 1.0 / offsets;
        return SpatialLinearMap.Apply(input, window.Output, (block, result) =>
        {
            for (int j = 0; j < outPixels; j++)
            {
                for (int i = 0; i < outPixels; i++)
                {
                    double sum = 0;
                    for (int delta = 0; delta < offsets; delta++)
                    {
                        int a = window.Source(i, delta), b = window.Source(j, delta);
                        if (a >= 0 && b >= 0)
                        {
                            sum += block[a + b * inPixels];
                        }
                    }

                    result[i + j * outPixels] = scale * sum;
                }
            }
        }, new DenseVariances(p.WeightVariance, p.BiasVariance));
    }
}
