using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Kernels.Device;
using GpuNngp.Solvers;
using ILGPU;
using ILGPU.Runtime.CPU;

namespace GpuNngp.Engine.Tests.Backends;

/// <summary>
/// A third provider, the GPU provider's own buffers, copies and ILGPU kernel launches
/// (<see cref="DeviceKernelProvider"/>) on ILGPU's CPU simulator, with the dense operations by the
/// managed host provider on copies (a simulator has no cuBLAS): the one override per backend, as
/// ILGPU has one accelerator class per backend. It runs the device kernels through the very fit,
/// predict and kernel pipeline the GPU runs, and the very launch code, on a machine without a GPU.
/// </summary>
internal sealed class SimulatedDeviceProvider : DeviceKernelProvider
{
    private readonly Context? _context;
    private readonly CPUAccelerator? _accelerator;
    private readonly IHostLinearAlgebra _dense = HostLinearAlgebra.Managed;
    private readonly IHostLinearAlgebra _factorisation = HostLinearAlgebra.Managed;

    /// <param name="blockedFactorisation">
    /// Factorise in blocks through the host's native LAPACK (<see cref="BlockedCholesky"/>, the scheme the
    /// GPU runs through cuSOLVER), so that cancellation and progress inside the factorisation take the
    /// device provider's path; otherwise in one managed call like the other dense operations.
    /// </param>
    public SimulatedDeviceProvider(bool blockedFactorisation = false)
        : this(CreateContext())
    {
        _factorisation = blockedFactorisation ? HostLinearAlgebra.Native(out _) ?? _dense : _dense;
    }

    private SimulatedDeviceProvider(Context context)
        : this(context, context.CreateCPUAccelerator(0))
    {
    }

    private SimulatedDeviceProvider(Context context, CPUAccelerator accelerator)
        : base(accelerator, accelerator.DefaultStream, new GpuKernels(accelerator))
    {
        _context = context;
        _accelerator = accelerator;
    }

    /// <summary>A provider on another test's simulator and launcher, which it does not dispose (so the launcher records what ran).</summary>
    public SimulatedDeviceProvider(CPUAccelerator accelerator, GpuKernels kernels)
        : base(accelerator, accelerator.DefaultStream, kernels)
    {
    }

    public override string Name => "ILGPU CPU simulator (device kernels) + managed dense algebra";

    public override bool IsGpu => false;

    public override MemoryModel Memory => GpuProvider.Model;

    public override long? AvailableBytes() => null;

    public override void SymmetricRankK(int n, int k, double alpha, ProviderBuffer a, ProviderBuffer c, CancellationToken cancellationToken = default) =>
        OnHost([a, c], host => _dense.SymmetricRankK(n, k, alpha, host[0], host[1]), c);

    public override void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double alpha, ProviderBuffer a, ProviderBuffer b, double beta, ProviderBuffer c, CancellationToken cancellationToken = default) =>
        OnHost([a, b, c], host => _dense.Multiply(transposeA, transposeB, m, n, k, alpha, host[0], host[1], beta, host[2]), c);

    public override int CholeskyFactor(ProviderBuffer matrix, int n, Action<double>? progress, CancellationToken cancellationToken)
    {
        int failed = 0;
        OnHost([matrix], host => failed = _factorisation.CholeskyFactor(host[0], n, progress, cancellationToken), matrix);
        return failed;
    }

    public override void CholeskySolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs) =>
        OnHost([factor, b], host => _dense.CholeskySolve(host[0], n, host[1], nrhs), b);

    public override void LowerTriangularSolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs, CancellationToken cancellationToken = default) =>
        OnHost([factor, b], host => _dense.LowerTriangularSolve(host[0], n, host[1], nrhs), b);

    /// <summary>MathNet's Evd on copies; both outputs are copied back.</summary>
    public override void SymmetricEigen(ProviderBuffer matrix, int n, ProviderBuffer eigenvalues)
    {
        try
        {
            OnHost([matrix, eigenvalues], host => _dense.SymmetricEigen(host[0], n, host[1]), matrix, eigenvalues);
        }
        catch (ArithmeticException e) when (e.GetType() == typeof(ArithmeticException))
        {
            throw new NngpNumericalException(e.Message, e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _accelerator?.Dispose();
            _context?.Dispose();
        }
    }

    /// <summary>Warps of 32 and groups of 256 threads, as the map kernels launch on a GPU.</summary>
    private static Context CreateContext() => DeviceContexts.Create(builder => builder.CPU(new CPUDevice(32, 8, 1)));

    /// <summary>Runs a dense operation on host copies of the buffers and copies the <paramref name="written"/> ones back.</summary>
    private void OnHost(ProviderBuffer[] buffers, Action<HostBuffer[]> operation, params ProviderBuffer[] written)
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
            foreach (var buffer in written)
            {
                CopyIn(buffer, host[Array.IndexOf(buffers, buffer)].Slice(0, checked((int)buffer.Length)));
            }
        }
        finally
        {
            foreach (var buffer in host)
            {
                buffer?.Dispose();
            }
        }
    }
}
