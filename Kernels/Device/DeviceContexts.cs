using System.Reflection;
using GpuNngp.Kernels.Lookup;
using ILGPU;
using ILGPU.Backends.EntryPoints;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// How every ILGPU context of the GPU path is built, and the list of kernel entry points it launches,
/// so the PTX compilation test checks exactly what the engine runs.
/// </summary>
public static class DeviceContexts
{
    /// <summary>
    /// The context settings: ILGPU.Algorithms' math (PTX has no double tanh/exp/log: quadrature's
    /// activations need them; sqrt and division are native and correctly rounded), and
    /// <paramref name="accelerators"/> (e.g. <c>b =&gt; b.Cuda()</c>, or <c>b =&gt; b.CPU()</c> to simulate).
    /// </summary>
    public static Context Create(Func<Context.Builder, Context.Builder> accelerators)
    {
        ArgumentNullException.ThrowIfNull(accelerators);
        return Context.Create(builder => accelerators(builder.EnableAlgorithms()));
    }

    /// <summary>One launched kernel: its closed method and whether it is explicitly grouped.</summary>
    public sealed record EntryPoint(string Name, MethodInfo Method, bool ExplicitlyGrouped)
    {
        public EntryPointDescription Description => ExplicitlyGrouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(Method)
            : EntryPointDescription.FromImplicitlyGroupedKernel(Method);
    }

    /// <summary>Every kernel instantiation the GPU backend launches.</summary>
    public static IReadOnlyList<EntryPoint> EntryPoints { get; } =
    [
        new("MapLowerTriangle<ClosedForm>", MapLowerTriangle<ClosedFormNetworkView>(), true),
        new("MapLowerTriangle<Quadrature>", MapLowerTriangle<DeviceNetworkView>(), true),
        new("MapLowerTriangle<Tabulated>", new Action<ArrayView<double>, int, int, DeviceNetworkView, DeviceKernelTableView, DeviceDiagonalView, KernelKind>(NngpDeviceKernels.MapLowerTriangleTabulated).Method, true),
        new("MapRectangle<ClosedForm>", MapRectangle<ClosedFormNetworkView>(), true),
        new("MapRectangle<Quadrature>", MapRectangle<DeviceNetworkView>(), true),
        new("MapRectangle<Tabulated>", new Action<ArrayView<double>, int, int, int, DeviceNetworkView, DeviceKernelTableView, DeviceDiagonalView, DeviceDiagonalView, KernelKind>(NngpDeviceKernels.MapRectangleTabulated).Method, true),
        new("SetDiagonal", new Action<Index1D, ArrayView<double>, int, ArrayView<double>, double, double>(NngpDeviceKernels.SetDiagonal).Method, false),
        new("CopyDiagonal", new Action<Index1D, ArrayView<double>, int, ArrayView<double>>(NngpDeviceKernels.CopyDiagonal).Method, false),
        new("PosteriorVariance", new Action<ArrayView<double>, int, ArrayView<double>, ArrayView<double>>(NngpDeviceKernels.PosteriorVariance).Method, true),
    ];

    private static MethodInfo MapLowerTriangle<TNetwork>()
        where TNetwork : struct, INetworkView =>
        new Action<ArrayView<double>, int, int, TNetwork, DeviceDiagonalView, KernelKind>(NngpDeviceKernels.MapLowerTriangle).Method;

    private static MethodInfo MapRectangle<TNetwork>()
        where TNetwork : struct, INetworkView =>
        new Action<ArrayView<double>, int, int, int, TNetwork, DeviceDiagonalView, DeviceDiagonalView, KernelKind>(NngpDeviceKernels.MapRectangle).Method;
}
