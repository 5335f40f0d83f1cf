namespace GpuNngp.Engine.Architecture;

/// <summary>How <see cref="LayerPlan.Compile"/> groups a network's layers into operations.</summary>
internal enum LayerFusion
{
    /// <summary>A Dense/φ chain becomes one <see cref="FusedDenseChain"/>: the fast path, today's all-layers map.</summary>
    FuseDenseChains,

    /// <summary>One operation per layer: the reference route, and the one later layer families join.</summary>
    LayerByLayer,
}
