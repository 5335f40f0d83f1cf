using System.Collections.Immutable;
using GpuNngp.Engine.Architecture;

namespace GpuNngp.Engine.Spatial;

/// <summary>
/// A run of slice steps between two barriers: its slices start from the images (no
/// <see cref="Source"/>) or from the previous segment's whole covariance through the barrier, go
/// through <see cref="Steps"/> one slice at a time, and end in the readout (the last segment) or in
/// the whole covariance the next barrier reads.
/// </summary>
internal sealed class SliceSegment(SliceBarrier? source, ImmutableArray<SliceStep> steps, SpatialShape input, SpatialShape output, int strideRows, int strideColumns)
{
    public SliceBarrier? Source { get; } = source;

    public ImmutableArray<SliceStep> Steps { get; } = steps;

    /// <summary>The grid the steps start on (after the barrier, if any).</summary>
    public SpatialShape Input { get; } = input;

    public SpatialShape Output { get; } = output;

    /// <summary>The product of the steps' strides per axis: output slice D starts as input slice stride·D.</summary>
    public int StrideRows { get; } = strideRows;

    public int StrideColumns { get; } = strideColumns;

    /// <summary>The output slices a pair's run needs (set by the program's backward pass).</summary>
    public SliceOffsets PairSlices { get; internal set; } = new([], []);

    /// <summary>The output slices a point's own run needs: the pair's and the diagonal slice, which holds its pixel variances.</summary>
    public SliceOffsets SelfSlices { get; internal set; } = new([], []);
}
