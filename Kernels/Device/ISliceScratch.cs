using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// Where a <see cref="SpatialSliceKernel{TScratch}"/> group keeps its slots (each slot a slice's K,
/// and Θ after it): in shared memory when they fit (<see cref="SharedSliceScratch"/>), else in its
/// own share of a global buffer (<see cref="GlobalSliceScratch"/>).
/// </summary>
internal interface ISliceScratch
{
    /// <summary>The scratch of group <paramref name="group"/>.</summary>
    ArrayView<double> Of(int group);
}

/// <summary>The slots in shared memory: <see cref="Doubles"/> values a group (46 KiB, with the readout's 2 KiB under the 48 KiB a group may take statically).</summary>
internal readonly struct SharedSliceScratch : ISliceScratch
{
    public const int Doubles = 5888;

    public ArrayView<double> Of(int group) => SharedMemory.Allocate<double>(Doubles);
}

/// <summary>The slots in global memory: <paramref name="perGroup"/> values a group, group g's from g·perGroup on.</summary>
internal readonly struct GlobalSliceScratch(ArrayView<double> scratch, int perGroup) : ISliceScratch
{
    public ArrayView<double> Of(int group) => scratch.SubView((long)group * perGroup, perGroup);
}
