using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// Global average pooling (DESIGN.md §7, <c>stax.GlobalAvgPool</c>): a spatial record to a flat one,
/// K′ = (1/P²)·Σ_{i,j} K̃_ij and Θ′ = (1/P²)·Σ_{i,j} Θ̃_ij, per pair and per point; a Dense after it
/// gives σb² + σw²·K′.
/// </summary>
internal sealed class GlobalAvgPoolOperation : LinearLayerOperation
{
    public override string Description => "GlobalAvgPool";

    public override KernelRecord Apply(KernelRecord input, QuadratureRule quadrature)
    {
        SpatialShape shape = SpatialLinearMap.RequireShape(input, Description);
        double scale = 1.0 / ((double)shape.Pixels * shape.Pixels);
        return SpatialLinearMap.Apply(input, output: null, (block, result) =>
        {
            double sum = 0;
            foreach (double value in block)
            {
                sum += value;
            }

            result[0] = scale * sum;
        }, weights: null);
    }
}
