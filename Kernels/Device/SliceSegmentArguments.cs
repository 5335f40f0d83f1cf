using System.Runtime.InteropServices;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// One segment of a slice program as a <see cref="SpatialSliceKernel{TScratch}"/> launch reads it:
/// its instructions, its grids, where its slices start (the images, or a barrier over the previous
/// segment's whole covariance) and where they end (the readout's partial sums, or the whole
/// covariance the next barrier reads). Blittable (its flags are ints, 1 for true): a kernel argument.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct SliceSegmentArguments(
    int FirstInstruction,
    int Instructions,
    int InHeight,
    int InWidth,
    int OutHeight,
    int OutWidth,
    int StrideRows,
    int StrideColumns,
    int ResultSlot,
    int FromBarrier,
    int BarrierInputPixels,
    int BarrierOffsets,
    int BarrierSharedOffset,
    int BarrierSources,
    double BarrierScale,
    int BarrierWeighted,
    double BarrierBias,
    double BarrierWeight,
    int Readout);
