using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Spatial;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Device;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// A provider whose memory and layer map live on one ILGPU accelerator, as ILGPU's own backends share
/// one <see cref="Accelerator"/>: buffers, copies, the prepared map and every ILGPU kernel launch
/// (<see cref="GpuKernels"/>) are written here once, all queued on one stream. A backend overrides only
/// what differs: the dense linear algebra (cuBLAS/cuSOLVER on CUDA in <see cref="GpuProvider"/>; the
/// tests' simulator does it on the host) and the facts about its memory. So the tests on ILGPU's CPU
/// simulator run the GPU provider's own launch code.
/// </summary>
internal abstract class DeviceKernelProvider : IComputeProvider
{
    /// <summary>A provider on <paramref name="accelerator"/>, queuing on <paramref name="stream"/>, launching <paramref name="kernels"/> (compiled for that accelerator).</summary>
    protected DeviceKernelProvider(Accelerator accelerator, AcceleratorStream stream, GpuKernels kernels)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(kernels);
        Accelerator = accelerator;
        Stream = stream;
        Kernels = kernels;
    }

    public abstract string Name { get; }

    public abstract bool IsGpu { get; }

    /// <summary>False: a device kernel cannot call a managed delegate.</summary>
    public bool RunsCustomActivations => false;

    public abstract MemoryModel Memory { get; }

    /// <summary>The accelerator every buffer and kernel of this provider lives on.</summary>
    protected Accelerator Accelerator { get; }

    /// <summary>The one stream the kernels, the copies and the backend's dense operations run on, in order.</summary>
    protected AcceleratorStream Stream { get; }

    /// <summary>The kernels, compiled for <see cref="Accelerator"/> on first use.</summary>
    protected GpuKernels Kernels { get; }

    public abstract long? AvailableBytes();

    /// <summary>The steps of a sampled network between its gemms as this provider's kernels, on its stream (<see cref="MonteCarlo.MonteCarloEstimator"/>).</summary>
    internal MonteCarlo.SampledOperations SampledOperations() => new MonteCarlo.DeviceSampledOperations(this, Accelerator, Stream, Kernels);

    public ProviderBuffer Allocate(long length, string what)
    {
        Accelerator.Bind();
        return new GpuBuffer(Accelerator, GpuHost.Allocate(Accelerator, length, what), length);
    }

    public ProviderBuffer Upload(ReadOnlySpan<double> values, string what)
    {
        var buffer = Allocate(values.Length, what);
        CopyIn(buffer, values);
        return buffer;
    }

    public void CopyIn(ProviderBuffer target, ReadOnlySpan<double> values) => GpuHost.CopyIn(Stream, View(target), values);

    public void CopyOut(ProviderBuffer source, long offset, Span<double> target) =>
        GpuHost.Download(Stream, View(source).SubView(offset, target.Length), target);

    public void Copy(ProviderBuffer source, long sourceOffset, ProviderBuffer target, long targetOffset, long count) =>
        View(source).SubView(sourceOffset, count).CopyTo(Stream, View(target).SubView(targetOffset, count));

    /// <summary>The whole n×n matrix: one contiguous device copy is faster than n column copies, and the upper triangle is free to change.</summary>
    public void CopyLowerTriangle(ProviderBuffer source, ProviderBuffer target, int n) =>
        Copy(source, 0, target, 0, ColumnMajor.Count(n, n));

    /// <summary>Into native host memory in copies of whole columns of at most 2^27 values each (a span's length is 32-bit).</summary>
    public HostMatrix ToHost(ProviderBuffer matrix, int rows, int columns)
    {
        try
        {
            var result = HostMatrix.Allocate(rows, columns);
            try
            {
                int columnsPerCopy = Math.Max(1, (1 << 27) / Math.Max(1, rows));
                for (int column = 0; column < columns; column += columnsPerCopy)
                {
                    long offset = ColumnMajor.ColumnStart(column, rows);
                    int count = checked((int)ColumnMajor.Count(rows, Math.Min(columnsPerCopy, columns - column)));
                    CopyOut(matrix, offset, result.Storage.Slice(offset, count));
                }

                return result;
            }
            catch
            {
                result.Dispose(); // the N×N host buffer must not wait for the finalizer
                throw;
            }
        }
        finally
        {
            matrix.Dispose();
        }
    }

    public abstract void SymmetricRankK(int n, int k, double alpha, ProviderBuffer a, ProviderBuffer c, CancellationToken cancellationToken = default);

    public abstract void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double alpha, ProviderBuffer a, ProviderBuffer b, double beta, ProviderBuffer c, CancellationToken cancellationToken = default);

    /// <summary>
    /// The spatial kernel on the device (FP64 whatever <paramref name="precision"/>); a program with
    /// an activation the device has no closed form for (quadrature, a user delegate) runs on the host's, in <paramref name="precision"/>.
    /// </summary>
    public virtual ISpatialKernel PrepareSpatial(SliceProgram program, bool ntk, KernelPrecision precision = KernelPrecision.Double) =>
        DeviceSpatialKernel.Supports(program) ? new DeviceSpatialKernel(Accelerator, Stream, Kernels, program, ntk, AvailableBytes) : new HostSpatialKernel(program, ntk, precision);

    public IPreparedMap PrepareMap(HostNetworkView network, KernelLookupTable? tables)
    {
        Accelerator.Bind();
        var deviceNetwork = new DeviceNetwork(Accelerator, Stream, network);
        try
        {
            return new GpuPreparedMap(deviceNetwork, tables is null ? null : new DeviceLookupTables(Accelerator, Stream, tables));
        }
        catch
        {
            deviceNetwork.Dispose();
            throw;
        }
    }

    public void MapLowerTriangle(IPreparedMap map, ProviderBuffer matrix, int n, double[] layerVariances, KernelKind kind, ProgressCounter progress)
    {
        var prepared = Prepared(map);
        using var variances = Upload(layerVariances, "the per-layer variances");
        Kernels.MapLowerTriangle(Stream, prepared.Network, View(matrix), n, new DeviceDiagonalView(View(variances), n), kind, prepared.Tables);
        Synchronize(); // the variances' buffer is freed on return
    }

    public void MapRectangle(
        IPreparedMap map, ProviderBuffer matrix, int rows, int columns, double[] rowVariances, double[] columnVariances, KernelKind kind, ProgressCounter progress)
    {
        var prepared = Prepared(map);
        using var dRows = Upload(rowVariances, "the row points' per-layer variances");
        using var dColumns = Upload(columnVariances, "the column points' per-layer variances");
        Kernels.MapRectangle(
            Stream, prepared.Network, View(matrix), rows, columns,
            new DeviceDiagonalView(View(dRows), rows), new DeviceDiagonalView(View(dColumns), columns), kind, prepared.Tables);
        Synchronize();
    }

    public void SetDiagonal(ProviderBuffer matrix, int n, double[] values, double noise, double jitter)
    {
        using var dValues = Upload(values, "the diagonal");
        Kernels.SetDiagonal(Stream, View(matrix), n, View(dValues), noise, jitter);
        Synchronize();
    }

    public double[] Diagonal(ProviderBuffer matrix, int n)
    {
        using var diagonal = Allocate(n, "the diagonal");
        Kernels.CopyDiagonal(Stream, View(matrix), n, View(diagonal));
        var result = new double[n];
        CopyOut(diagonal, 0, result);
        return result;
    }

    public void MirrorLowerToUpper(ProviderBuffer matrix, int n) => Kernels.MirrorLowerToUpper(Stream, View(matrix), n);

    public void RestoreLowerFromUpper(ProviderBuffer matrix, int n) => Kernels.RestoreLowerFromUpper(Stream, View(matrix), n);

    public long FirstNonFiniteLowerTriangle(ProviderBuffer matrix, int n)
    {
        Accelerator.Bind();
        using var result = GpuHost.Allocate<long>(Accelerator, 1, "the non-finite scan's result");
        GpuHost.CopyIn(Stream, result.View, [long.MaxValue]);
        Kernels.FirstNonFiniteLowerTriangle(Stream, View(matrix), n, result.View);
        var first = new long[1];
        GpuHost.Download(Stream, result.View, first);
        return first[0] == long.MaxValue ? -1 : first[0];
    }

    public abstract int CholeskyFactor(ProviderBuffer matrix, int n, Action<double>? progress, CancellationToken cancellationToken);

    public abstract void CholeskySolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs);

    public abstract void LowerTriangularSolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs, CancellationToken cancellationToken = default);

    public abstract void SymmetricEigen(ProviderBuffer matrix, int n, ProviderBuffer eigenvalues);

    public double[] ColumnSumsOfSquares(ProviderBuffer matrix, int rows, int columns)
    {
        using var sums = Allocate(columns, "the column sums of squares");
        Kernels.ColumnSumsOfSquares(Stream, View(matrix), rows, columns, View(sums));
        var result = new double[columns];
        CopyOut(sums, 0, result);
        return result;
    }

    public void Synchronize() => Stream.Synchronize();

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the backend's handles, the stream, the accelerator (which frees any buffer still alive) and its context.</summary>
    protected abstract void Dispose(bool disposing);

    /// <summary>The buffer as this provider's own: one of its type, on this accelerator.</summary>
    protected GpuBuffer Device(ProviderBuffer buffer)
    {
        var device = buffer as GpuBuffer ?? throw new ArgumentException($"a {buffer?.GetType().Name ?? "null"} is not a device provider's buffer", nameof(buffer));
        return ReferenceEquals(device.Accelerator, Accelerator)
            ? device
            : throw new ArgumentException("the buffer belongs to another accelerator", nameof(buffer));
    }

    private ArrayView<double> View(ProviderBuffer buffer) => Device(buffer).View;

    private static GpuPreparedMap Prepared(IPreparedMap map) =>
        map as GpuPreparedMap ?? throw new ArgumentException("the map was prepared by another provider", nameof(map));
}
