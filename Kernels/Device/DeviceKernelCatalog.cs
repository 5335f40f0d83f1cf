using System.Reflection;
using GpuNngp.Kernels.Lookup;
using ILGPU.Backends.EntryPoints;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// Every device kernel instantiation the GPU path launches, one row each: its name, its closed
/// argument type and how it is grouped. The PTX test compiles each row, the simulator tests run each
/// row, and the launcher (<c>GpuKernels</c>) loads only kernels listed here: a new kernel is its
/// argument struct and one row.
/// </summary>
internal static class DeviceKernelCatalog
{
    /// <summary>The rows.</summary>
    public static IReadOnlyList<DeviceKernelVariant> Variants { get; } =
    [
        Grouped<MapLowerTriangleKernel<ClosedFormNetworkView, DirectDual>>("MapLowerTriangle<ClosedForm>"),
        Grouped<MapLowerTriangleKernel<DeviceNetworkView, DirectDual>>("MapLowerTriangle<Quadrature>"),
        Grouped<MapLowerTriangleKernel<DeviceNetworkView, TabulatedDual<DeviceKernelTableView>>>("MapLowerTriangle<Tabulated>"),
        Grouped<MapRectangleKernel<ClosedFormNetworkView, DirectDual>>("MapRectangle<ClosedForm>"),
        Grouped<MapRectangleKernel<DeviceNetworkView, DirectDual>>("MapRectangle<Quadrature>"),
        Grouped<MapRectangleKernel<DeviceNetworkView, TabulatedDual<DeviceKernelTableView>>>("MapRectangle<Tabulated>"),
        Elementwise<SetDiagonalKernel>("SetDiagonal"),
        Elementwise<CopyDiagonalKernel>("CopyDiagonal"),
        Grouped<ColumnSumsOfSquaresKernel>("ColumnSumsOfSquares"),
        Grouped<MirrorTriangleKernel>("MirrorTriangle"),
        Elementwise<FillKernel<long>>("Fill<long>"),
        Grouped<FirstNonFiniteLowerTriangleKernel>("FirstNonFiniteLowerTriangle"),
        Grouped<SpatialSliceKernel<SharedSliceScratch>>("SpatialSlice<Shared>"),
        Grouped<SpatialSliceKernel<GlobalSliceScratch>>("SpatialSlice<Global>"),
        Elementwise<WindowGatherKernel>("WindowGather"),
        Elementwise<WindowScatterKernel>("WindowScatter"),
        Elementwise<BiasKernel>("Bias"),
        Elementwise<UnitActivationKernel>("UnitActivation"),
        Elementwise<ElementwiseProductKernel>("ElementwiseProduct"),
        Elementwise<AccumulateKernel>("Accumulate"),
        Elementwise<BlockContractionKernel>("BlockContraction"),
    ];

    /// <summary>The row of the kernel whose arguments are <paramref name="kernel"/>; throws if it has none.</summary>
    public static DeviceKernelVariant Of(Type kernel) =>
        Variants.FirstOrDefault(v => v.Kernel == kernel)
        ?? throw new InvalidOperationException($"the device kernel {kernel.Name} has no row in {nameof(DeviceKernelCatalog)}: add one, so the PTX and simulator tests cover it");

    private static DeviceKernelVariant Grouped<TKernel>(string name)
        where TKernel : struct, IGroupedDeviceKernel =>
        new(name, typeof(TKernel), new Action<TKernel>(DeviceKernelEntryPoints.Grouped).Method, ExplicitlyGrouped: true);

    private static DeviceKernelVariant Elementwise<TKernel>(string name)
        where TKernel : struct, IElementwiseDeviceKernel =>
        new(name, typeof(TKernel), new Action<ILGPU.Index1D, TKernel>(DeviceKernelEntryPoints.Elementwise).Method, ExplicitlyGrouped: false);
}

/// <summary>One row of <see cref="DeviceKernelCatalog"/>: a kernel's argument type and its closed ILGPU entry point.</summary>
internal sealed record DeviceKernelVariant(string Name, Type Kernel, MethodInfo Method, bool ExplicitlyGrouped)
{
    /// <summary>What ILGPU's backends compile.</summary>
    public EntryPointDescription Description => ExplicitlyGrouped
        ? EntryPointDescription.FromExplicitlyGroupedKernel(Method)
        : EntryPointDescription.FromImplicitlyGroupedKernel(Method);
}
