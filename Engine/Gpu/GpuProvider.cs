using System.Diagnostics.CodeAnalysis;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// The GPU provider: device buffers on one CUDA accelerator, cuBLAS (syrk, gemm, trsm) and cuSOLVER
/// (potrf, potrs, syevd) and the ILGPU kernels (<see cref="GpuKernels"/>), all queued on one stream, so the
/// N×N matrix never leaves the device unless a kernel is asked for. Buffers, copies and kernel launches
/// are <see cref="DeviceKernelProvider"/>'s; this class adds the CUDA libraries and the device's memory.
/// </summary>
internal sealed class GpuProvider : DeviceKernelProvider
{
    private readonly GpuDevice _device;

    private GpuProvider(GpuDevice device)
        : base(device.Accelerator, device.Stream, device.Kernels)
    {
        _device = device;
        Name = device.Name;
    }

    public override string Name { get; }

    public override bool IsGpu => true;

    /// <summary>
    /// Device memory: X once, Y/α once, two per-point vectors; a test tile takes a share of what is
    /// free; 512 MiB reserved for cuBLAS/cuSOLVER workspaces (potrf's included), ILGPU and the driver.
    /// </summary>
    public override MemoryModel Memory => Model;

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
    /// A provider on CUDA device <paramref name="index"/> (modulo the count; the first by default) when the
    /// driver, a device and cuBLAS/cuSOLVER are all there; otherwise false and <paramref name="reason"/> says in one line why.
    /// </summary>
    public static bool TryCreate([NotNullWhen(true)] out GpuProvider? provider, out string reason, int index = 0)
    {
        var device = GpuDevice.TryOpen(out reason, index);
        provider = device is null ? null : new GpuProvider(device);
        return provider is not null;
    }

    /// <summary>The device, its stream and library handles (the GPU ranks run cuSOLVERMp on them).</summary>
    internal GpuDevice Gpu => _device;

    public override long? AvailableBytes()
    {
        _device.Bind();
        return _device.FreeMemory();
    }

    /// <summary>One cuBLAS call (tens of milliseconds at N = 50,000): checked for cancellation only before it is queued.</summary>
    public override void SymmetricRankK(int n, int k, double alpha, ProviderBuffer a, ProviderBuffer c, CancellationToken cancellationToken = default) =>
        _device.Blas.Syrk(n, k, alpha, Pointer(a), Math.Max(1, n), 0, Pointer(c), Math.Max(1, n));

    public override void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double alpha, ProviderBuffer a, ProviderBuffer b, double beta, ProviderBuffer c, CancellationToken cancellationToken = default) =>
        _device.Blas.Gemm(
            transposeA, transposeB, m, n, k, alpha,
            Pointer(a), Math.Max(1, transposeA ? k : m),
            Pointer(b), Math.Max(1, transposeB ? n : k),
            beta, Pointer(c), Math.Max(1, m));

    /// <summary>
    /// Blocked (<see cref="BlockedCholesky"/> over <see cref="GpuCholeskyBlocks"/>) rather than one potrf
    /// call, so that it reports progress and stops between blocks when cancelled.
    /// </summary>
    public override int CholeskyFactor(ProviderBuffer matrix, int n, Action<double>? progress, CancellationToken cancellationToken)
    {
        _device.Bind();
        int lda = Math.Max(1, n), block = Math.Min(GpuCholeskyBlocks.Block, Math.Max(1, n));
        int workspaceLength = _device.Blas.PotrfWorkspaceSize(block, Pointer(matrix), lda);
        using var workspace = GpuHost.Allocate(_device.Accelerator, workspaceLength, "the Cholesky workspace");
        using var info = GpuHost.Allocate<int>(_device.Accelerator, 1, "devInfo");
        var blocks = new GpuCholeskyBlocks(_device.Blas, Pointer(matrix), n, workspace.NativePtr, workspaceLength, info.NativePtr, () => ReadInfo(info, "potrf"));
        try
        {
            return BlockedCholesky.Factor(blocks, n, block, Math.Max(1, n), progress, cancellationToken);
        }
        finally
        {
            _device.Synchronize(); // the workspace and devInfo are freed on return, a cancelled step's work included
        }
    }

    public override void CholeskySolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs)
    {
        _device.Bind();
        using var info = GpuHost.Allocate<int>(_device.Accelerator, 1, "devInfo");
        _device.Blas.Potrs(n, nrhs, Pointer(factor), Math.Max(1, n), Pointer(b), Math.Max(1, n), info.NativePtr);
        ReadInfo(info, "potrs");
    }

    public override void LowerTriangularSolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs, CancellationToken cancellationToken = default) =>
        _device.Blas.TrsmLowerLeft(n, nrhs, Pointer(factor), Math.Max(1, n), Pointer(b), Math.Max(1, n));

    /// <summary>cuSOLVER's syevd (vectors, lower) with its workspace and devInfo, as <see cref="CholeskyFactor"/> runs potrf.</summary>
    public override void SymmetricEigen(ProviderBuffer matrix, int n, ProviderBuffer eigenvalues)
    {
        CheckEigenArguments(matrix, n, eigenvalues);
        _device.Bind();
        int lda = Math.Max(1, n);
        int workspaceLength = _device.Blas.SymmetricEigenWorkspaceSize(n, Pointer(matrix), lda, Pointer(eigenvalues));
        using var workspace = GpuHost.Allocate(_device.Accelerator, workspaceLength, "the eigendecomposition's workspace");
        using var info = GpuHost.Allocate<int>(_device.Accelerator, 1, "devInfo");
        _device.Blas.SymmetricEigen(n, Pointer(matrix), lda, Pointer(eigenvalues), workspace.NativePtr, workspaceLength, info.NativePtr);
        int unconverged = ReadInfo(info, "syevd");
        if (unconverged > 0)
        {
            throw new NngpNumericalException(
                $"the eigendecomposition of the {n}×{n} matrix did not converge on the GPU (cuSOLVER syevd: {unconverged} off-diagonal elements of its tridiagonal form stayed nonzero)");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _device.Dispose();
        }
    }

    /// <summary>
    /// The int cuSOLVER left on the device, after the stream drains: potrf's i &gt; 0 is a failed
    /// minor (returned for the jitter loop), syevd's the number of elements that did not converge;
    /// a negative value is an argument it rejected.
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

    /// <summary>cuSOLVER writes n² and n values through raw pointers: the buffers must hold them (the host providers check their own).</summary>
    private static void CheckEigenArguments(ProviderBuffer matrix, int n, ProviderBuffer eigenvalues)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (matrix.Length < ColumnMajor.Count(n, n))
        {
            throw new ArgumentException($"a {n}×{n} matrix needs {ColumnMajor.Count(n, n)} values; the buffer holds {matrix.Length}", nameof(matrix));
        }

        if (eigenvalues.Length < n)
        {
            throw new ArgumentException($"{n} eigenvalues need {n} values; the buffer holds {eigenvalues.Length}", nameof(eigenvalues));
        }
    }

    private nint Pointer(ProviderBuffer buffer) => Device(buffer).Pointer;
}
