using System.Diagnostics.CodeAnalysis;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Cpu;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Kernels.Device;
using GpuNngp.Solvers;
using ILGPU;
using ILGPU.Runtime;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// The GPU backend: X uploaded once, K⁰ by cuBLAS (syrk/gemm), the fused all-layers map by an ILGPU
/// kernel, potrf/potrs by cuSOLVER, all on one stream; the N×N matrix never leaves the device.
/// </summary>
internal sealed class GpuBackend : IBackend
{
    private readonly GpuDevice _device;

    private GpuBackend(GpuDevice device) => _device = device;

    public string Name => _device.Name;

    /// <summary>
    /// A backend on the first CUDA device when the driver, a device and cuBLAS/cuSOLVER are all there;
    /// otherwise false and <paramref name="reason"/> says in one line why.
    /// </summary>
    public static bool TryCreate([NotNullWhen(true)] out GpuBackend? backend, out string reason)
    {
        var device = GpuDevice.TryOpen(out reason);
        backend = device is null ? null : new GpuBackend(device);
        return backend is not null;
    }

    public HostMatrix Kernel(CompiledNetwork network, Matrix<double> x1, Matrix<double>? x2, KernelKind kind, IProgress<StageProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(x1);
        _device.Bind();
        var stream = _device.Stream;
        var accelerator = _device.Accelerator;
        int n1 = x1.RowCount, d = x1.ColumnCount;
        int n2 = x2?.RowCount ?? n1;
        GpuMemoryPlan.CheckKernel(n1, n2, d, network.Depth, _device.FreeMemory());

        var hostView = HostKernelMap.View(network, QuadratureRules.DefaultOrder);
        double[] a = GpuHost.ColumnMajor(x1);
        double[] inputVariances1 = HostKernelMap.InputVariances(a, n1, d);

        // The lookup tables exactly where the CPU backend's Kernel uses them.
        var hostTables = HostKernelMap.Tables(hostView, inputVariances1, LookupTableMode.Auto);
        var diagonal1 = HostKernelMap.Diagonals(hostView, inputVariances1, kind, hostTables);
        using var deviceNetwork = new DeviceNetwork(accelerator, stream, network, QuadratureRules.DefaultOrder);
        using var tables = hostTables is null ? null : new DeviceLookupTables(accelerator, stream, hostTables);
        using var dA = GpuHost.Upload(accelerator, stream, a);
        using var dVariances1 = GpuHost.Upload(accelerator, stream, diagonal1.LayerVariances);
        using var dResult = GpuHost.Allocate(accelerator, (long)n1 * n2, "the kernel matrix");
        var counter = new ProgressCounter(progress, Stage.LayerMap, 1);
        if (x2 is null)
        {
            _device.Blas.Syrk(n1, d, 1.0 / d, dA.NativePtr, n1, 0, dResult.NativePtr, n1);
            _device.Kernels.MapLowerTriangle(stream, deviceNetwork, dResult.View, n1, new DeviceDiagonalView(dVariances1.View, n1), kind, tables);
            using var dDiagonal = GpuHost.Upload(accelerator, stream, diagonal1.Output);
            _device.Kernels.SetDiagonal(stream, dResult.View, n1, dDiagonal.View, 0, 0);
            var result = DownloadMatrix(stream, dResult, n1, n1);
            counter.Complete();
            SymmetricTriangles.MirrorLowerToUpper(result.Storage, n1);
            return result;
        }

        double[] b = GpuHost.ColumnMajor(x2);
        var diagonal2 = HostKernelMap.Diagonals(hostView, HostKernelMap.InputVariances(b, n2, d), kind, hostTables);
        using var dB = GpuHost.Upload(accelerator, stream, b);
        using var dVariances2 = GpuHost.Upload(accelerator, stream, diagonal2.LayerVariances);
        _device.Blas.Gemm(false, true, n1, n2, d, 1.0 / d, dA.NativePtr, n1, dB.NativePtr, n2, 0, dResult.NativePtr, n1);
        _device.Kernels.MapRectangle(
            stream, deviceNetwork, dResult.View, n1, n2, new DeviceDiagonalView(dVariances1.View, n1), new DeviceDiagonalView(dVariances2.View, n2), kind, tables);
        var cross = DownloadMatrix(stream, dResult, n1, n2);
        counter.Complete();
        return cross;
    }

    /// <summary>
    /// A rows×columns device matrix into native host memory, in copies of whole columns of at most
    /// 2^27 values each (a span's length is 32-bit; the matrix may be larger).
    /// </summary>
    private static HostMatrix DownloadMatrix(AcceleratorStream stream, MemoryBuffer1D<double, Stride1D.Dense> source, int rows, int columns)
    {
        var result = HostMatrix.Allocate(rows, columns);
        try
        {
            int columnsPerCopy = Math.Max(1, (1 << 27) / Math.Max(1, rows));
            for (int column = 0; column < columns; column += columnsPerCopy)
            {
                long offset = ColumnMajor.ColumnStart(column, rows);
                int count = checked((int)ColumnMajor.Count(rows, Math.Min(columnsPerCopy, columns - column)));
                GpuHost.Download(stream, source.View.SubView(offset, count), result.Storage.Slice(offset, count));
            }

            return result;
        }
        catch
        {
            result.Dispose(); // the N×N host buffer must not wait for the finalizer
            throw;
        }
    }

    public void CheckFitMemory(int n, int dimension, int outputs, int depth)
    {
        _device.Bind();
        GpuMemoryPlan.CheckFit(n, dimension, outputs, depth, _device.FreeMemory());
    }

    public void CheckKernelMemory(int rows, int columns, int dimension, int depth, int hostCopies)
    {
        _device.Bind();
        GpuMemoryPlan.CheckKernel(rows, columns, dimension, depth, _device.FreeMemory());

        // The kernel also comes back to the host: hostCopies × rows × columns doubles there.
        long hostBytes = sizeof(double) * ColumnMajor.Count(rows, columns) * hostCopies;
        if (HostMemory.Available() is { } available && hostBytes > available)
        {
            throw new NngpInputException(FormattableString.Invariant(
                $"a {rows:N0}×{columns:N0} kernel needs {hostBytes / 1e9:F1} GB of host memory to come back from the GPU but the host has {available / 1e9:F1} GB available (MemAvailable); use fewer points"));
        }
    }

    public void CheckInputGramMemory(int n, int validation, int dimension)
    {
        _device.Bind();
        GpuMemoryPlan.CheckFit(n, dimension, 1, 0, _device.FreeMemory());
    }

    public IFittedModel Fit(FitRequest request, IProgress<StageProgress>? progress) =>
        GpuFittedModel.Fit(_device, request, progress);

    public InputGramCache CacheInputGram(Matrix<double> x, Matrix<double>? validation) =>
        new GpuInputGram(_device, x, validation);

    public void Dispose() => _device.Dispose();
}
