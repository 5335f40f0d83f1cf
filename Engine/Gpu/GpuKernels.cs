using GpuNngp.Kernels;
using GpuNngp.Kernels.Device;
using GpuNngp.Kernels.Lookup;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// The device kernels of one accelerator, launched on the caller's stream. A kernel is its argument
/// struct (<see cref="IGroupedDeviceKernel"/>, <see cref="IElementwiseDeviceKernel"/>); <see cref="Launch{TKernel}"/>
/// and <see cref="LaunchElementwise{TKernel}"/> compile each on first use (PTX, then the driver's JIT), once per
/// accelerator, and refuse a kernel without a row in <see cref="DeviceKernelCatalog"/>. The named methods are the
/// launches the pipeline makes.
/// </summary>
internal sealed class GpuKernels
{
    private readonly Accelerator _accelerator;
    private readonly Dictionary<Type, Delegate> _loaded = [];
    private readonly Lock _gate = new();

    public GpuKernels(Accelerator accelerator) => _accelerator = accelerator;

    /// <summary>The argument types of the kernels loaded so far (the simulator tests check which variant a launch chose).</summary>
    internal IReadOnlyCollection<Type> Loaded
    {
        get
        {
            lock (_gate)
            {
                return [.. _loaded.Keys];
            }
        }
    }

    /// <summary>
    /// Launches an explicitly grouped kernel: <see cref="IGroupedDeviceKernel.Groups"/> groups of
    /// <paramref name="groupSize"/> threads (<see cref="DeviceTiling.GroupSize"/> unless the kernel reads its group's size).
    /// </summary>
    public void Launch<TKernel>(AcceleratorStream stream, TKernel kernel, int groupSize = DeviceTiling.GroupSize)
        where TKernel : struct, IGroupedDeviceKernel
    {
        long groups = kernel.Groups;
        if (groups == 0)
        {
            return;
        }

        if (groups > int.MaxValue)
        {
            throw new InvalidOperationException($"{DeviceKernelCatalog.Of(typeof(TKernel)).Name} needs {groups} groups; a launch takes at most {int.MaxValue}");
        }

        var launch = Once<TKernel, Action<AcceleratorStream, KernelConfig, TKernel>>(explicitlyGrouped: true, () => _accelerator.LoadKernel<TKernel>(DeviceKernelEntryPoints.Grouped));
        launch(stream, new KernelConfig((int)groups, groupSize), kernel);
    }

    /// <summary>Launches an implicitly grouped kernel: one thread per element of <see cref="IElementwiseDeviceKernel.Extent"/>.</summary>
    public void LaunchElementwise<TKernel>(AcceleratorStream stream, TKernel kernel)
        where TKernel : struct, IElementwiseDeviceKernel
    {
        int extent = kernel.Extent;
        if (extent == 0)
        {
            return;
        }

        var launch = Once<TKernel, Action<AcceleratorStream, Index1D, TKernel>>(explicitlyGrouped: false, () => _accelerator.LoadAutoGroupedKernel<Index1D, TKernel>(DeviceKernelEntryPoints.Elementwise));
        launch(stream, extent, kernel);
    }

    /// <summary>
    /// The fused map over the lower triangle of the n×n K⁰ in place; through <paramref name="tables"/>
    /// where given (they exist only for activations without a closed form).
    /// </summary>
    public void MapLowerTriangle(
        AcceleratorStream stream, DeviceNetwork network, ArrayView<double> matrix, int n, DeviceDiagonalView diagonal, KernelKind kind, DeviceLookupTables? tables = null) =>
        Map(network, tables, new LowerTriangle(this, stream, matrix, n, diagonal, kind));

    /// <summary>The fused map over the whole rows×columns K⁰ in place; through <paramref name="tables"/> where given.</summary>
    public void MapRectangle(
        AcceleratorStream stream,
        DeviceNetwork network,
        ArrayView<double> matrix,
        int rows,
        int columns,
        DeviceDiagonalView rowDiagonal,
        DeviceDiagonalView columnDiagonal,
        KernelKind kind,
        DeviceLookupTables? tables = null) =>
        Map(network, tables, new Rectangle(this, stream, matrix, rows, columns, rowDiagonal, columnDiagonal, kind));

    /// <summary>diag(matrix)_i = values_i + noise + jitter: the exact prior diagonal plus σε² and the jitter.</summary>
    public void SetDiagonal(AcceleratorStream stream, ArrayView<double> matrix, int n, ArrayView<double> values, double noise, double jitter) =>
        LaunchElementwise(stream, new SetDiagonalKernel(matrix, n, values, noise, jitter));

    /// <summary>Copies the diagonal of the n×n matrix into the first n entries of <paramref name="target"/>.</summary>
    public void CopyDiagonal(AcceleratorStream stream, ArrayView<double> matrix, int n, ArrayView<double> target) =>
        LaunchElementwise(stream, new CopyDiagonalKernel(matrix, n, target));

    /// <summary>target_j = Σ_i matrix[i, j]² for the <paramref name="columns"/> columns of a column-major matrix of <paramref name="rows"/> rows.</summary>
    public void ColumnSumsOfSquares(AcceleratorStream stream, ArrayView<double> matrix, int rows, int columns, ArrayView<double> target) =>
        Launch(stream, new ColumnSumsOfSquaresKernel(matrix, rows, columns, target));

    /// <summary>Copies the strict lower triangle of the n×n matrix onto the strict upper one (A[j, i] = A[i, j], i &gt; j).</summary>
    public void MirrorLowerToUpper(AcceleratorStream stream, ArrayView<double> matrix, int n) =>
        Launch(stream, new MirrorTriangleKernel(matrix, n, MirrorDirection.LowerToUpper));

    /// <summary>Restores the strict lower triangle of the n×n matrix from the strict upper one (A[i, j] = A[j, i], i &gt; j).</summary>
    public void RestoreLowerFromUpper(AcceleratorStream stream, ArrayView<double> matrix, int n) =>
        Launch(stream, new MirrorTriangleKernel(matrix, n, MirrorDirection.UpperToLower));

    /// <summary>
    /// result[0] = the smallest column-major index j·n + i (i ≥ j) of a NaN or ±∞ entry in the lower
    /// triangle of the n×n matrix, or <see cref="long.MaxValue"/> when every entry there is finite.
    /// Sets result[0] itself, on the stream, before the scan.
    /// </summary>
    public void FirstNonFiniteLowerTriangle(AcceleratorStream stream, ArrayView<double> matrix, int n, ArrayView<long> result)
    {
        LaunchElementwise(stream, new FillKernel<long>(result.SubView(0, 1), long.MaxValue));
        Launch(stream, new FirstNonFiniteLowerTriangleKernel(matrix, n, result));
    }

    /// <summary>
    /// Entries a thread maps along its row: 16 for closed forms (measured on the H100: 38 ms for the
    /// 50,000-point ReLU depth-3 map); 1 for quadrature, whose thousands of φ evaluations an entry
    /// would otherwise leave a small matrix on a handful of threads. The tabulated path keeps 1 too:
    /// entries the tables do not cover fall back to quadrature (no GPU measurement of either choice yet).
    /// </summary>
    internal static int Passes(DeviceNetwork network) => network.UsesQuadrature ? 1 : DeviceTiling.MaxPasses;

    /// <summary>
    /// The one place the map's variant is chosen, for the triangle and the rectangle alike: the
    /// closed-form view where every activation has a closed form, else the quadrature view, with F and
    /// Ḟ through the lookup tables where there are some.
    /// </summary>
    private static void Map<TMap>(DeviceNetwork network, DeviceLookupTables? tables, TMap map)
        where TMap : struct, IMapLaunch
    {
        int passes = Passes(network);
        if (!network.UsesQuadrature)
        {
            map.Launch(network.ClosedForm, default(DirectDual), passes);
        }
        else if (tables is null)
        {
            map.Launch(network.General, default(DirectDual), passes);
        }
        else
        {
            map.Launch(network.General, new TabulatedDual<DeviceKernelTableView>(tables.View), passes);
        }
    }

    /// <summary>The launcher of the kernel whose arguments are <typeparamref name="TKernel"/>, loaded on first use if its catalog row agrees.</summary>
    private TLauncher Once<TKernel, TLauncher>(bool explicitlyGrouped, Func<TLauncher> load)
        where TLauncher : Delegate
    {
        lock (_gate)
        {
            if (_loaded.TryGetValue(typeof(TKernel), out var loaded))
            {
                return (TLauncher)loaded;
            }

            var variant = DeviceKernelCatalog.Of(typeof(TKernel));
            if (variant.ExplicitlyGrouped != explicitlyGrouped)
            {
                throw new InvalidOperationException($"the catalog lists {variant.Name} as {(variant.ExplicitlyGrouped ? "explicitly" : "implicitly")} grouped");
            }

            var launcher = load();
            _loaded.Add(typeof(TKernel), launcher);
            return launcher;
        }
    }

    /// <summary>A map kernel's launch once its network view and F/Ḟ source are chosen.</summary>
    private interface IMapLaunch
    {
        void Launch<TNetwork, TDual>(TNetwork network, TDual dual, int passes)
            where TNetwork : struct, INetworkView
            where TDual : struct, IDualEvaluator;
    }

    private readonly record struct LowerTriangle(
        GpuKernels Kernels, AcceleratorStream Stream, ArrayView<double> Matrix, int N, DeviceDiagonalView Diagonal, KernelKind Kind) : IMapLaunch
    {
        public void Launch<TNetwork, TDual>(TNetwork network, TDual dual, int passes)
            where TNetwork : struct, INetworkView
            where TDual : struct, IDualEvaluator =>
            Kernels.Launch(Stream, new MapLowerTriangleKernel<TNetwork, TDual>(Matrix, N, passes, network, dual, Diagonal, Kind));
    }

    private readonly record struct Rectangle(
        GpuKernels Kernels,
        AcceleratorStream Stream,
        ArrayView<double> Matrix,
        int Rows,
        int Columns,
        DeviceDiagonalView RowDiagonal,
        DeviceDiagonalView ColumnDiagonal,
        KernelKind Kind) : IMapLaunch
    {
        public void Launch<TNetwork, TDual>(TNetwork network, TDual dual, int passes)
            where TNetwork : struct, INetworkView
            where TDual : struct, IDualEvaluator =>
            Kernels.Launch(Stream, new MapRectangleKernel<TNetwork, TDual>(Matrix, Rows, Columns, passes, network, dual, RowDiagonal, ColumnDiagonal, Kind));
    }
}
