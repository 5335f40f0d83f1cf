using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// Average pooling on a spatial record (DESIGN.md §7, <c>stax.AvgPool</c> with normalize_edges =
/// False): K′_IJ = (1/|w|²)·Σ_{a ∈ window(I)} Σ_{b ∈ window(J)} K̃_ab — the mean over the window of I
/// on one side and of J on the other, independently — and Θ′ = W(Θ̃) alike (no weights). With same
/// padding the zeros past the border count in the mean (divisor always k_h·k_w); circular wraps.
/// </summary>
/// <remarks>
/// Neural Tangents' valid pooling silently drops the last pixels when the windows do not tile the
/// image; here that is a one-line error (choose same padding to keep them).
/// </remarks>
internal sealed class AvgPoolOperation(PoolParameters parameters) : LinearLayerOperation
{
    public PoolParameters Parameters { get; } = parameters ?? throw new ArgumentNullException(nameof(parameters));

    public override string Description => Parameters.ToString();

    public override KernelRecord Apply(KernelRecord input, QuadratureRule quadrature)
    {
        SpatialShape shape = SpatialLinearMap.RequireShape(input, Description);
        PoolParameters p = Parameters;
        var window = new SpatialWindow(shape, p.WindowHeight, p.WindowWidth, p.StrideHeight, p.StrideWidth, p.Padding, Description);
        if (p.Padding == SpatialPadding.Valid
            && ((shape.Height - p.WindowHeight) % p.StrideHeight != 0 || (shape.Width - p.WindowWidth) % p.StrideWidth != 0))
        {
            throw new NngpInputException(
                $"{Description}: the windows do not tile the {shape} image (valid padding would drop its last pixels); use same padding or a window that divides it");
        }

        int inPixels = shape.Pixels, outPixels = window.Output.Pixels, offsets = window.Offsets;
        double scale = 1.0 / ((double)offsets * offsets);
        return SpatialLinearMap.Apply(input, window.Output, (block, result) =>
        {
            for (int j = 0; j < outPixels; j++)
            {
                for (int i = 0; i < outPixels; i++)
                {
                    double sum = 0;
                    for (int beta = 0; beta < offsets; beta++)
                    {
                        int b = window.Source(j, beta);
                        if (b < 0)
                        {
                            continue;
                        }

                        for (int alpha = 0; alpha < offsets; alpha++)
                        {
                            int a = window.Source(i, alpha);
                            if (a >= 0)
                            {
                                sum += block[a + b * inPixels];
                            }
                        }
                    }

                    result[i + j * outPixels] = scale * sum;
                }
            }
        }, weights: null);
    }
}
