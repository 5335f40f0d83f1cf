using GpuNngp.Kernels;
using GpuNngp.Kernels.Device;
using GpuNngp.Kernels.Lookup;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// The ILGPU kernels of one accelerator, compiled on first use (PTX, then the driver's JIT) and
/// launched on the caller's stream. The instantiations are those of <see cref="DeviceContexts.EntryPoints"/>.
/// </summary>
internal sealed class GpuKernels
{
    private readonly Accelerator _accelerator;
    private readonly Lock _gate = new();

    private Action<AcceleratorStream, KernelConfig, ArrayView<double>, int, int, ClosedFormNetworkView, DeviceDiagonalView, KernelKind>? _lowerClosedForm;
    private Action<AcceleratorStream, KernelConfig, ArrayView<double>, int, int, DeviceNetworkView, DeviceDiagonalView, KernelKind>? _lowerGeneral;
    private Action<AcceleratorStream, KernelConfig, ArrayView<double>, int, int, DeviceNetworkView, DeviceKernelTableView, DeviceDiagonalView, KernelKind>? _lowerTabulated;
    private Action<AcceleratorStream, KernelConfig, ArrayView<double>, int, int, int, ClosedFormNetworkView, DeviceDiagonalView, DeviceDiagonalView, KernelKind>? _rectangleClosedForm;
    private Action<AcceleratorStream, KernelConfig, ArrayView<double>, int, int, int, DeviceNetworkView, DeviceKernelTableView, DeviceDiagonalView, DeviceDiagonalView, KernelKind>? _rectangleTabulated;
    private Action<AcceleratorStream, KernelConfig, ArrayView<double>, int, int, int, DeviceNetworkView, DeviceDiagonalView, DeviceDiagonalView, KernelKind>? _rectangleGeneral;
    private Action<AcceleratorStream, Index1D, ArrayView<double>, int, ArrayView<double>, double, double>? _setDiagonal;
    private Action<AcceleratorStream, Index1D, ArrayView<double>, int, ArrayView<double>>? _copyDiagonal;
    private Action<AcceleratorStream, KernelConfig, ArrayView<double>, int, ArrayView<double>, ArrayView<double>>? _posteriorVariance;

    public GpuKernels(Accelerator accelerator) => _accelerator = accelerator;

    /// <summary>
    /// The fused map over the lower triangle of the n×n K⁰ in place; through <paramref name="tables"/>
    /// where given (they exist only for activations without a closed form).
    /// </summary>
    public void MapLowerTriangle(
        AcceleratorStream stream, DeviceNetwork network, ArrayView<double> matrix, int n, DeviceDiagonalView diagonal, KernelKind kind, DeviceLookupTables? tables = null)
    {
        int passes = Passes(network);
        var config = new KernelConfig(checked((int)NngpDeviceKernels.LowerTriangleTiles(n, passes)), NngpDeviceKernels.GroupSize);
        if (network.UsesQuadrature && tables is not null)
        {
            var launch = Once(ref _lowerTabulated, () => _accelerator.LoadKernel<ArrayView<double>, int, int, DeviceNetworkView, DeviceKernelTableView, DeviceDiagonalView, KernelKind>(
                NngpDeviceKernels.MapLowerTriangleTabulated));
            launch(stream, config, matrix, n, passes, network.General, tables.View, diagonal, kind);
        }
        else if (network.UsesQuadrature)
        {
            var launch = Once(ref _lowerGeneral, () => _accelerator.LoadKernel<ArrayView<double>, int, int, DeviceNetworkView, DeviceDiagonalView, KernelKind>(
                NngpDeviceKernels.MapLowerTriangle));
            launch(stream, config, matrix, n, passes, network.General, diagonal, kind);
        }
        else
        {
            var launch = Once(ref _lowerClosedForm, () => _accelerator.LoadKernel<ArrayView<double>, int, int, ClosedFormNetworkView, DeviceDiagonalView, KernelKind>(
                NngpDeviceKernels.MapLowerTriangle));
            launch(stream, config, matrix, n, passes, network.ClosedForm, diagonal, kind);
        }
    }

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
        DeviceLookupTables? tables = null)
    {
        int passes = Passes(network);
        var config = new KernelConfig(checked((int)NngpDeviceKernels.RectangleTiles(rows, columns, passes)), NngpDeviceKernels.GroupSize);
        if (network.UsesQuadrature && tables is not null)
        {
            var launch = Once(ref _rectangleTabulated, () => _accelerator.LoadKernel<ArrayView<double>, int, int, int, DeviceNetworkView, DeviceKernelTableView, DeviceDiagonalView, DeviceDiagonalView, KernelKind>(
                NngpDeviceKernels.MapRectangleTabulated));
            launch(stream, config, matrix, rows, columns, passes, network.General, tables.View, rowDiagonal, columnDiagonal, kind);
        }
        else if (network.UsesQuadrature)
        {
            var launch = Once(ref _rectangleGeneral, () => _accelerator.LoadKernel<ArrayView<double>, int, int, int, DeviceNetworkView, DeviceDiagonalView, DeviceDiagonalView, KernelKind>(
                NngpDeviceKernels.MapRectangle));
            launch(stream, config, matrix, rows, columns, passes, network.General, rowDiagonal, columnDiagonal, kind);
        }
        else
        {
            var launch = Once(ref _rectangleClosedForm, () => _accelerator.LoadKernel<ArrayView<double>, int, int, int, ClosedFormNetworkView, DeviceDiagonalView, DeviceDiagonalView, KernelKind>(
                NngpDeviceKernels.MapRectangle));
            launch(stream, config, matrix, rows, columns, passes, network.ClosedForm, rowDiagonal, columnDiagonal, kind);
        }
    }

    /// <summary>diag(matrix)_i = values_i + noise + jitter: the exact prior diagonal plus σε² and the jitter.</summary>
    public void SetDiagonal(AcceleratorStream stream, ArrayView<double> matrix, int n, ArrayView<double> values, double noise, double jitter)
    {
        var launch = Once(ref _setDiagonal, () => _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<double>, int, ArrayView<double>, double, double>(
            NngpDeviceKernels.SetDiagonal));
        launch(stream, n, matrix, n, values, noise, jitter);
    }

    /// <summary>Copies the diagonal of the n×n matrix into the first n entries of <paramref name="target"/>.</summary>
    public void CopyDiagonal(AcceleratorStream stream, ArrayView<double> matrix, int n, ArrayView<double> target)
    {
        var launch = Once(ref _copyDiagonal, () => _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<double>, int, ArrayView<double>>(NngpDeviceKernels.CopyDiagonal));
        launch(stream, n, matrix, n, target);
    }

    /// <summary>var_j = max(0, prior_j − ‖column j of <paramref name="solved"/>‖²) for <paramref name="columns"/> columns of n rows.</summary>
    public void PosteriorVariance(
        AcceleratorStream stream, ArrayView<double> solved, int n, int columns, ArrayView<double> prior, ArrayView<double> variance)
    {
        var config = new KernelConfig(columns, NngpDeviceKernels.GroupSize);
        var launch = Once(ref _posteriorVariance, () => _accelerator.LoadKernel<ArrayView<double>, int, ArrayView<double>, ArrayView<double>>(
            NngpDeviceKernels.PosteriorVariance));
        launch(stream, config, solved, n, prior, variance);
    }

    /// <summary>
    /// Entries a thread maps along its row: 16 for closed forms (measured on the H100: 38 ms for the
    /// 50,000-point ReLU depth-3 map); 1 for quadrature, whose thousands of φ evaluations an entry
    /// would otherwise leave a small matrix on a handful of threads. The tabulated path keeps 1 too:
    /// entries the tables do not cover fall back to quadrature (no GPU measurement of either choice yet).
    /// </summary>
    internal static int Passes(DeviceNetwork network) => network.UsesQuadrature ? 1 : NngpDeviceKernels.MaxPasses;

    private T Once<T>(ref T? launcher, Func<T> load)
        where T : class
    {
        lock (_gate)
        {
            return launcher ??= load();
        }
    }
}
