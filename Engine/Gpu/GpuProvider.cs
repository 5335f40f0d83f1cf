using System.Diagnostics.CodeAnalysis;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Device;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// The GPU provider: device buffers on one CUDA accelerator, cuBLAS (syrk, gemm, trsm) and cuSOLVER
/// (potrf, potrs) and the ILGPU kernels (<see cref="GpuKernels"/>), all queued on one stream, so the
/// N×N matrix never leaves the device unless a kernel is asked for.
/// </summary>
internal sealed class GpuProvider : IComputeProvider
{
    private readonly GpuDevice _device;

    private GpuProvider(GpuDevice device)
    {
        _device = device;
        Name = device.Name;
    }

    public string Name { get; }

    public bool IsGpu => true;

    public bool RunsCustomActivations => false;

    /// <summary>
    /// Device memory: X once, Y/α once, two per-point vectors; a test tile takes a share of what is
    /// free; 512 MiB reserved for cuBLAS/cuSOLVER workspaces (potrf's included), ILGPU and the driver.
    /// </summary>
    public MemoryModel Memory => Model;

    public static MemoryModel Model { get; } = new(
        Holder: "the GPU",
        Availability: "free",
        Reserve: 512L << 20,
        InputCopies: 1,
        OutputCopies: 1,
        DiagonalCopies: 2,
        WorkingCopies: 0,
        MaxMatrixElements: long.MaxValue,
        ProviderName: "cuSOLVER",
        LargeSizeRemedy: "",
        FixedTileBytes: null,
        KernelLeavesDevice: true,
        OtherDeviceRemedy: "the CPU (DeviceKind.Cpu)");

    /// <summary>
    /// A provider on the first CUDA device when the driver, a device and cuBLAS/cuSOLVER are all there;
    /// otherwise false and <paramref name="reason"/> says in one line why.
    /// </summary>
    public static bool TryCreate([NotNullWhen(true)] out GpuProvider? provider, out string reason)
    {
        var device = GpuDevice.TryOpen(out reason);
        provider = device is null ? null : new GpuProvider(device);
        return provider is not null;
    }

    public long? AvailableBytes()
    {
        _device.Bind();
        return _device.FreeMemory();
    }

    public ProviderBuffer Allocate(long length, string what)
    {
        _device.Bind();
        return new GpuBuffer(_device, GpuHost.Allocate(_device.Accelerator, length, what), length);
    }

    public ProviderBuffer Upload(ReadOnlySpan<double> values, string what)
    {
        var buffer = Allocate(values.Length, what);
        CopyIn(buffer, values);
        return buffer;
    }

    public void CopyIn(ProviderBuffer target, ReadOnlySpan<double> values) => GpuHost.CopyIn(_device.Stream, View(target), values);

    public void CopyOut(ProviderBuffer source, long offset, Span<double> target) =>
        GpuHost.Download(_device.Stream, View(source).SubView(offset, target.Length), target);

    public void Copy(ProviderBuffer source, long sourceOffset, ProviderBuffer target, long targetOffset, long count) =>
        View(source).SubView(sourceOffset, count).CopyTo(_device.Stream, View(target).SubView(targetOffset, count));

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

    public void SymmetricRankK(int n, int k, double alpha, ProviderBuffer a, ProviderBuffer c) =>
        _device.Blas.Syrk(n, k, alpha, Pointer(a), Math.Max(1, n), 0, Pointer(c), Math.Max(1, n));

    public void Multiply(bool transposeA, bool transposeB, int m, int n, int k, double alpha, ProviderBuffer a, ProviderBuffer b, double beta, ProviderBuffer c) =>
        _device.Blas.Gemm(
            transposeA, transposeB, m, n, k, alpha,
            Pointer(a), Math.Max(1, transposeA ? k : m),
            Pointer(b), Math.Max(1, transposeB ? n : k),
            beta, Pointer(c), Math.Max(1, m));

    public IPreparedMap PrepareMap(HostNetworkView network, KernelLookupTable? tables)
    {
        _device.Bind();
        var deviceNetwork = new DeviceNetwork(_device.Accelerator, _device.Stream, network);
        try
        {
            return new GpuPreparedMap(deviceNetwork, tables is null ? null : new DeviceLookupTables(_device.Accelerator, _device.Stream, tables));
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
        _device.Kernels.MapLowerTriangle(_device.Stream, prepared.Network, View(matrix), n, new DeviceDiagonalView(View(variances), n), kind, prepared.Tables);
        _device.Synchronize(); // the variances' buffer is freed on return
    }

    public void MapRectangle(
        IPreparedMap map, ProviderBuffer matrix, int rows, int columns, double[] rowVariances, double[] columnVariances, KernelKind kind, ProgressCounter progress)
    {
        var prepared = Prepared(map);
        using var dRows = Upload(rowVariances, "the row points' per-layer variances");
        using var dColumns = Upload(columnVariances, "the column points' per-layer variances");
        _device.Kernels.MapRectangle(
            _device.Stream, prepared.Network, View(matrix), rows, columns,
            new DeviceDiagonalView(View(dRows), rows), new DeviceDiagonalView(View(dColumns), columns), kind, prepared.Tables);
        _device.Synchronize();
    }

    public void SetDiagonal(ProviderBuffer matrix, int n, double[] values, double noise, double jitter)
    {
        using var dValues = Upload(values, "the diagonal");
        _device.Kernels.SetDiagonal(_device.Stream, View(matrix), n, View(dValues), noise, jitter);
        _device.Synchronize();
    }

    public double[] Diagonal(ProviderBuffer matrix, int n)
    {
        using var diagonal = Allocate(n, "the diagonal");
        _device.Kernels.CopyDiagonal(_device.Stream, View(matrix), n, View(diagonal));
        var result = new double[n];
        CopyOut(diagonal, 0, result);
        return result;
    }

    public void MirrorLowerToUpper(ProviderBuffer matrix, int n) => _device.Kernels.MirrorLowerToUpper(_device.Stream, View(matrix), n);

    public void RestoreLowerFromUpper(ProviderBuffer matrix, int n) => _device.Kernels.RestoreLowerFromUpper(_device.Stream, View(matrix), n);

    public long FirstNonFiniteLowerTriangle(ProviderBuffer matrix, int n)
    {
        _device.Bind();
        using var result = GpuHost.Allocate<long>(_device.Accelerator, 1, "the non-finite scan's result");
        GpuHost.CopyIn(_device.Stream, result.View, [long.MaxValue]);
        _device.Kernels.FirstNonFiniteLowerTriangle(_device.Stream, View(matrix), n, result.View);
        var first = new long[1];
        GpuHost.Download(_device.Stream, result.View, first);
        return first[0] == long.MaxValue ? -1 : first[0];
    }

    public int CholeskyFactor(ProviderBuffer matrix, int n)
    {
        _device.Bind();
        int lda = Math.Max(1, n);
        int workspaceLength = _device.Blas.PotrfWorkspaceSize(n, Pointer(matrix), lda);
        using var workspace = GpuHost.Allocate(_device.Accelerator, workspaceLength, "the Cholesky workspace");
        using var info = GpuHost.Allocate<int>(_device.Accelerator, 1, "devInfo");
        _device.Blas.Potrf(n, Pointer(matrix), lda, workspace.NativePtr, workspaceLength, info.NativePtr);
        return ReadInfo(info, "potrf");
    }

    public void CholeskySolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs)
    {
        _device.Bind();
        using var info = GpuHost.Allocate<int>(_device.Accelerator, 1, "devInfo");
        _device.Blas.Potrs(n, nrhs, Pointer(factor), Math.Max(1, n), Pointer(b), Math.Max(1, n), info.NativePtr);
        ReadInfo(info, "potrs");
    }

    public void LowerTriangularSolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs) =>
        _device.Blas.TrsmLowerLeft(n, nrhs, Pointer(factor), Math.Max(1, n), Pointer(b), Math.Max(1, n));

    public double[] ColumnSumsOfSquares(ProviderBuffer matrix, int rows, int columns)
    {
        using var sums = Allocate(columns, "the column sums of squares");
        _device.Kernels.ColumnSumsOfSquares(_device.Stream, View(matrix), rows, columns, View(sums));
        var result = new double[columns];
        CopyOut(sums, 0, result);
        return result;
    }

    public void Synchronize() => _device.Synchronize();

    public void Dispose() => _device.Dispose();

    /// <summary>
    /// The int cuSOLVER left on the device, after the stream drains: potrf's i &gt; 0 is a failed
    /// minor (returned for the jitter loop); a negative value is an argument it rejected.
    /// </summary>
    private int ReadInfo(MemoryBuffer1D<int, Stride1D.Dense> info, string routine)
    {
        var value = new int[1];
        GpuHost.Download(_device.Stream, info.View, value);
        if (value[0] < 0)
        {
            throw new InvalidOperationException($"{routine} rejected argument {-value[0]} (devInfo = {value[0]})");
        }

        return value[0];
    }

    private GpuBuffer Gpu(ProviderBuffer buffer) =>
        buffer as GpuBuffer ?? throw new ArgumentException($"a {buffer?.GetType().Name ?? "null"} is not a GPU provider's buffer", nameof(buffer));

    private ArrayView<double> View(ProviderBuffer buffer) => Gpu(buffer).View;

    private nint Pointer(ProviderBuffer buffer) => Gpu(buffer).Pointer;

    private static GpuPreparedMap Prepared(IPreparedMap map) =>
        map as GpuPreparedMap ?? throw new ArgumentException("the map was prepared by another provider", nameof(map));
}
