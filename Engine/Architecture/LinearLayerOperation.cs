using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// The common part of the spatial layers that are linear on the record (Conv, AvgPool,
/// GlobalAvgPool, Flatten): no activation, no quadrature, no delegate; each says what it is and how
/// it maps the blocks (<see cref="SpatialLinearMap"/>).
/// </summary>
internal abstract class LinearLayerOperation : ILayerOperation
{
    public abstract string Description { get; }

    public int Depth => 0;

    public bool UsesQuadrature => false;

    public bool HasCustomActivation => false;

    public abstract KernelRecord Apply(KernelRecord input, QuadratureRule quadrature);

    public override string ToString() => Description;
}
