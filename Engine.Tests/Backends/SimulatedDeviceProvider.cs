using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Device;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace GpuNngp.Engine.Tests.Backends;

/// <summary>
/// A third provider, written in the tests against the provider interface alone: the GPU provider's
/// ILGPU kernels (<see cref="GpuKernels"/>, <see cref="DeviceNetwork"/>, <see cref="DeviceLookupTables"/>)
/// on ILGPU's CPU simulator, and the dense operations by the managed host provider on copies (a
/// simulator has no cuBLAS). It proves that the pipeline needs nothing but the interface, and runs the
/// device kernels through the very fit, predict and kernel pipeline the GPU runs, on a machine
/// without a GPU.
/// </summary>
internal sealed class SimulatedDeviceProvider : IComputeProvider
{
    private readonly Context _context;
    private readonly CPUAccelerator _accelerator;
    private readonly GpuKernels _kernels;
    private readonly IHostLinearAlgebra _dense = HostLinearAlgebra.Managed;

    public SimulatedDeviceProvider()
    {
        // Warps of 32 and groups of 256 threads, as the map kernels launch on a GPU.
        _context = DeviceContexts.Create(builder => builder.CPU(new CPUDevice(32, 8, 1)));
        _accelerator = _context.CreateCPUAccelerator(0);
        _kernels = new GpuKernels(_accelerator);
    }

    public string Name => "ILGPU CPU simulator (device kernels) + managed dense algebra";

    public bool IsGpu => false;

    public bool RunsCustomActivations => false;

    public MemoryModel Memory => GpuProvider.Model;

    private AcceleratorStream Stream => _accelerator.DefaultStream;

    public long? AvailableBytes() => null;

    public ProviderBuffer Allocate(long length, string what) => new Buffer(_accelerator.Allocate1D<double>(Math.Max(1, length)), length);

    public ProviderBuffer Upload(ReadOnlySpan<double> values, string what)
    {
        var buffer = Allocate(values.Length, what);
        CopyIn(buffer, values);
        return buffer;
    }

    public void CopyIn(ProviderBuffer target, ReadOnlySpan<double> values)
    {
        if (values.Length > 0)
        {
            View(target).SubView(0, values.Length).CopyFromCPU(Stream, values);
        }
    }

    public void CopyOut(ProviderBuffer source, long offset, Span<double> target)
    {
        if (target.Length > 0)
        {
            View(source).SubView(offset, target.Length).CopyToCPU(Stream, target);
        }
    }

    public void Copy(ProviderBuffer source, long sourceOffset, ProviderBuffer target, long targetOffset, long count) =>
        View(source).SubView(sourceOffset, count).CopyTo(Stream, View(target).SubView(targetOffset, count));

    public void CopyLowerTriangle(ProviderBuffer source, ProviderBuffer target, int n) => Copy(source, 0, target, 0, (long)n * n);

    public HostMatrix ToHost(ProviderBuffer matrix, int rows, int columns)
    {
        try
        {
            var result = HostMatrix.Allocate(rows, columns);
            CopyOut(matrix, 0, result.Storage.Slice(0, checked(rows * columns)));
            return result;
        }
        finally
        {
            matrix.Dispose();
        }
    }

    public void SymmetricRankK(int n, int k, double alpha, ProviderBuffer a, ProviderBuffer c) =>
        OnHost([a, c], host => _dense.SymmetricRankK(n, k, alpha, host[0], host[1]), c);

    public void Multiply(bool transposeA, bool transposeB, int m, int n, int k, double alpha, ProviderBuffer a, ProviderBuffer b, double beta, ProviderBuffer c) =>
        OnHost([a, b, c], host => _dense.Multiply(transposeA, transposeB, m, n, k, alpha, host[0], host[1], beta, host[2]), c);

    public IPreparedMap PrepareMap(HostNetworkView network, KernelLookupTable? tables)
    {
        var deviceNetwork = new DeviceNetwork(_accelerator, Stream, network);
        return new GpuPreparedMap(deviceNetwork, tables is null ? null : new DeviceLookupTables(_accelerator, Stream, tables));
    }

    public void MapLowerTriangle(IPreparedMap map, ProviderBuffer matrix, int n, double[] layerVariances, KernelKind kind, ProgressCounter progress)
    {
        var prepared = (GpuPreparedMap)map;
        using var variances = Upload(layerVariances, "variances");
        _kernels.MapLowerTriangle(Stream, prepared.Network, View(matrix), n, new DeviceDiagonalView(View(variances), n), kind, prepared.Tables);
        Synchronize();
    }

    public void MapRectangle(
        IPreparedMap map, ProviderBuffer matrix, int rows, int columns, double[] rowVariances, double[] columnVariances, KernelKind kind, ProgressCounter progress)
    {
        var prepared = (GpuPreparedMap)map;
        using var dRows = Upload(rowVariances, "row variances");
        using var dColumns = Upload(columnVariances, "column variances");
        _kernels.MapRectangle(
            Stream, prepared.Network, View(matrix), rows, columns,
            new DeviceDiagonalView(View(dRows), rows), new DeviceDiagonalView(View(dColumns), columns), kind, prepared.Tables);
        Synchronize();
    }

    public void SetDiagonal(ProviderBuffer matrix, int n, double[] values, double noise, double jitter)
    {
        using var dValues = Upload(values, "diagonal");
        _kernels.SetDiagonal(Stream, View(matrix), n, View(dValues), noise, jitter);
        Synchronize();
    }

    public double[] Diagonal(ProviderBuffer matrix, int n)
    {
        using var diagonal = Allocate(n, "diagonal");
        _kernels.CopyDiagonal(Stream, View(matrix), n, View(diagonal));
        var result = new double[n];
        CopyOut(diagonal, 0, result);
        return result;
    }

    public void MirrorLowerToUpper(ProviderBuffer matrix, int n)
    {
        _kernels.MirrorLowerToUpper(Stream, View(matrix), n);
        Synchronize();
    }

    public void RestoreLowerFromUpper(ProviderBuffer matrix, int n)
    {
        _kernels.RestoreLowerFromUpper(Stream, View(matrix), n);
        Synchronize();
    }

    public long FirstNonFiniteLowerTriangle(ProviderBuffer matrix, int n)
    {
        using var result = _accelerator.Allocate1D<long>(1);
        result.View.CopyFromCPU(Stream, [long.MaxValue]);
        _kernels.FirstNonFiniteLowerTriangle(Stream, View(matrix), n, result.View);
        var first = new long[1];
        result.View.CopyToCPU(Stream, first);
        return first[0] == long.MaxValue ? -1 : first[0];
    }

    public int CholeskyFactor(ProviderBuffer matrix, int n)
    {
        int failed = 0;
        OnHost([matrix], host => failed = _dense.CholeskyFactor(host[0], n), matrix);
        return failed;
    }

    public void CholeskySolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs) =>
        OnHost([factor, b], host => _dense.CholeskySolve(host[0], n, host[1], nrhs), b);

    public void LowerTriangularSolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs) =>
        OnHost([factor, b], host => _dense.LowerTriangularSolve(host[0], n, host[1], nrhs), b);

    public double[] ColumnSumsOfSquares(ProviderBuffer matrix, int rows, int columns)
    {
        using var sums = Allocate(columns, "sums");
        _kernels.ColumnSumsOfSquares(Stream, View(matrix), rows, columns, View(sums));
        var result = new double[columns];
        CopyOut(sums, 0, result);
        return result;
    }

    public void Synchronize() => Stream.Synchronize();

    public void Dispose()
    {
        _accelerator.Dispose();
        _context.Dispose();
    }

    /// <summary>Runs a dense operation on host copies of the buffers and copies <paramref name="written"/> back.</summary>
    private void OnHost(ProviderBuffer[] buffers, Action<HostBuffer[]> operation, ProviderBuffer written)
    {
        var host = new HostBuffer[buffers.Length];
        try
        {
            for (int i = 0; i < buffers.Length; i++)
            {
                host[i] = HostBuffer.Allocate(buffers[i].Length);
                CopyOut(buffers[i], 0, host[i].Slice(0, checked((int)buffers[i].Length)));
            }

            operation(host);
            CopyIn(written, host[Array.IndexOf(buffers, written)].Slice(0, checked((int)written.Length)));
        }
        finally
        {
            foreach (var buffer in host)
            {
                buffer?.Dispose();
            }
        }
    }

    private static ArrayView<double> View(ProviderBuffer buffer) => ((Buffer)buffer).Memory.View;

    private sealed class Buffer(MemoryBuffer1D<double, Stride1D.Dense> memory, long length) : ProviderBuffer(length)
    {
        public MemoryBuffer1D<double, Stride1D.Dense> Memory { get; } = memory;

        protected override void Dispose(bool disposing) => Memory.Dispose();
    }
}
