using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// Flatten (DESIGN.md §7, <c>stax.Flatten</c>): a spatial record to a flat one, K′ = (1/P)·Σ_i K̃_ii
/// and Θ′ = (1/P)·Σ_i Θ̃_ii — a dense readout of the P·C flattened features with fan-in P·C sees only
/// the same-pixel covariances, so only the block's diagonal matters; a Dense after it gives
/// σb² + σw²·K′.
/// </summary>
internal sealed class FlattenOperation : LinearLayerOperation
{
    public override string Description => "Flatten";

    public override KernelRecord Apply(KernelRecord input, QuadratureRule quadrature)
    {
        SpatialShape shape = SpatialLinearMap.RequireShape(input, Description);
        int pixels = shape.Pixels;
        double scale = 1.0 / pixels;
        return SpatialLinearMap.Apply(input, output: null, (block, result) =>
        {
            double sum = 0;
            for (int i = 0; i < pixels; i++)
            {
                sum += block[i + i * pixels];
            }

            result[0] = scale * sum;
        }, weights: null);
    }
}
