using System.Globalization;
using System.Runtime.InteropServices;
using GpuNngp.Engine.Gpu;
using GpuNngp.Solvers.Cuda;
using GpuNngp.Solvers.Distributed;

namespace GpuNngp.Engine.Distributed;

/// <summary>
/// cuSOLVERMp over the GPU ranks: an NCCL communicator (rank 0's unique id broadcast over the MPI
/// session), a cuSOLVERMp handle on the rank's device and stream, and the device grid of
/// <see cref="ProcessGrid"/>'s shape in row-major order; then potrf, potrs and syevd on local arrays in
/// device memory, described by the same block-cyclic layout as ScaLAPACK's (source process 0, square
/// blocks). Every step of opening is agreed over the ranks (<see cref="MpiSession.Agree"/>), so that a
/// rank that fails ends them all with one message instead of leaving them in a collective.
/// Compiled and tested up to its refusals only: not yet run on a GPU.
/// </summary>
internal sealed unsafe class CusolverMpGrid : IDisposable
{
    private readonly GpuDevice _device;
    private nint _communicator;
    private nint _handle;
    private nint _grid;

    private CusolverMpGrid(GpuDevice device) => _device = device;

    /// <summary>cuSOLVERMp's version (major · 1000 + minor · 100 + patch) and NCCL's (its own encoding).</summary>
    public string Versions { get; private set; } = "";

    /// <summary>Opens it on every rank of <paramref name="session"/> (collective), on <paramref name="device"/>.</summary>
    public static CusolverMpGrid Open(MpiSession session, ProcessGrid grid, GpuDevice device)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(device);
        var opened = new CusolverMpGrid(device);
        try
        {
            opened.Join(session, grid);
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    private void Join(MpiSession session, ProcessGrid grid)
    {
        // NCCL and cuSOLVERMp take the runtime's current device, which follows the driver context made
        // current here (ILGPU's): it must be the rank's own device, and the stream must belong to it.
        Agreed(session, () =>
        {
            _device.Bind();
            int current = CudaRuntimeNative.CurrentDevice();
            if (current != _device.Ordinal)
            {
                throw new NngpDeviceException(string.Create(CultureInfo.InvariantCulture,
                    $"the CUDA runtime's current device is {current}, not this rank's device {_device.Ordinal}: NCCL and cuSOLVERMp would run on another GPU"));
            }
        });

        var id = default(NcclNative.UniqueId);
        Agreed(session, () =>
        {
            if (session.Rank == 0)
            {
                NcclNative.UniqueId made;
                NcclNative.Check(NcclNative.GetUniqueId(&made), "ncclGetUniqueId");
                id = made;
            }
        });
        session.Broadcast(id, 0);

        Agreed(session, () =>
        {
            nint communicator;
            NcclNative.Check(NcclNative.CommInitRank(&communicator, session.Size, id, session.Rank), "ncclCommInitRank");
            _communicator = communicator;
        });

        Agreed(session, () =>
        {
            nint handle;
            CudaStatus.CheckCusolver(CusolverMpNative.Create(&handle, _device.Ordinal, _device.Stream.StreamPtr), "cusolverMpCreate");
            _handle = handle;
            int version = 0, ncclVersion = 0;
            CudaStatus.CheckCusolver(CusolverMpNative.GetVersion(_handle, &version), "cusolverMpGetVersion");
            NcclNative.Check(NcclNative.GetVersion(&ncclVersion), "ncclGetVersion");
            if (version < CusolverMpNative.MinimumVersion)
            {
                throw new NngpDeviceException(string.Create(CultureInfo.InvariantCulture,
                    $"cuSOLVERMp {version / 1000}.{version / 100 % 10}.{version % 100} takes a CAL communicator; the GPU ranks bind 0.7 or later (NCCL)"));
            }

            Versions = string.Create(CultureInfo.InvariantCulture, $"cuSOLVERMp {version / 1000}.{version / 100 % 10}.{version % 100}, NCCL {ncclVersion}");
        });

        Agreed(session, () =>
        {
            nint created;
            CudaStatus.CheckCusolver(
                CusolverMpNative.CreateDeviceGrid(_handle, &created, _communicator, grid.Rows, grid.Columns, CusolverMpNative.RowMajorGrid), "cusolverMpCreateDeviceGrid");
            _grid = created;
        });
    }

    /// <summary>Runs <paramref name="step"/> on this rank, then agrees with every rank whether any failed.</summary>
    internal static void Agreed(MpiSession session, Action step)
    {
        Exception? failure = null;
        try
        {
            step();
        }
#pragma warning disable CA1031 // any failure of one rank's step is the agreed failure of all
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = e;
        }

        session.Agree(failure);
    }

    /// <summary>
    /// The doubles a local device array of <paramref name="layout"/> is given: whole blocks of columns
    /// (cuSOLVERMp's first releases asked for local buffers of whole blocks; a few columns spare are cheap insurance).
    /// </summary>
    public static long DeviceLength(BlockCyclicLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        long columns = (layout.LocalColumns + (long)layout.Block - 1) / layout.Block * layout.Block;
        return Math.Max(layout.LocalCount, layout.LeadingDimension * Math.Max(1, columns));
    }

    /// <summary>Cholesky factor (lower) of the n×n matrix at <paramref name="a"/> in place; 0 or this rank's failed minor (collective).</summary>
    public int Factor(nint a, BlockCyclicLayout layout)
    {
        _device.Bind(); // the pipeline may call from another thread than the one that opened the grid
        using var descriptor = Describe(layout);
        nuint deviceBytes = 0, hostBytes = 0;
        long n = layout.Rows;
        CudaStatus.CheckCusolver(
            CusolverMpNative.PotrfBufferSize(_handle, CusolverMpNative.Lower, n, (void*)a, 1, 1, descriptor.Handle, CusolverMpNative.Double, &deviceBytes, &hostBytes),
            "cusolverMpPotrf_bufferSize");
        using var work = new Workspace(_device, deviceBytes, hostBytes);
        CudaStatus.CheckCusolver(
            CusolverMpNative.Potrf(
                _handle, CusolverMpNative.Lower, n, (void*)a, 1, 1, descriptor.Handle, CusolverMpNative.Double, work.Device, deviceBytes, work.Host, hostBytes, work.Info),
            "cusolverMpPotrf");
        return work.ReadInfo("cusolverMpPotrf");
    }

    /// <summary>Solves L·Lᵀ·X = B in place (collective), the factor at <paramref name="l"/>, B at <paramref name="b"/>.</summary>
    public void Solve(nint l, BlockCyclicLayout factorLayout, nint b, BlockCyclicLayout rhsLayout)
    {
        _device.Bind(); // the pipeline may call from another thread than the one that opened the grid
        using var descriptorA = Describe(factorLayout);
        using var descriptorB = Describe(rhsLayout);
        nuint deviceBytes = 0, hostBytes = 0;
        long n = factorLayout.Rows, nrhs = rhsLayout.Columns;
        CudaStatus.CheckCusolver(
            CusolverMpNative.PotrsBufferSize(
                _handle, CusolverMpNative.Lower, n, nrhs, (void*)l, 1, 1, descriptorA.Handle, (void*)b, 1, 1, descriptorB.Handle, CusolverMpNative.Double, &deviceBytes, &hostBytes),
            "cusolverMpPotrs_bufferSize");
        using var work = new Workspace(_device, deviceBytes, hostBytes);
        CudaStatus.CheckCusolver(
            CusolverMpNative.Potrs(
                _handle, CusolverMpNative.Lower, n, nrhs, (void*)l, 1, 1, descriptorA.Handle, (void*)b, 1, 1, descriptorB.Handle, CusolverMpNative.Double,
                work.Device, deviceBytes, work.Host, hostBytes, work.Info),
            "cusolverMpPotrs");
        work.ReadInfo("cusolverMpPotrs");
    }

    /// <summary>
    /// Eigenvalues (ascending, all n at <paramref name="values"/> on every rank) and eigenvectors (into
    /// <paramref name="q"/>, the same layout) of the symmetric matrix whose lower triangle is at
    /// <paramref name="a"/> (collective); 0 or the count that did not converge.
    /// </summary>
    public int Eigen(nint a, BlockCyclicLayout layout, nint values, nint q)
    {
        _device.Bind(); // the pipeline may call from another thread than the one that opened the grid
        using var descriptor = Describe(layout);
        nuint deviceBytes = 0, hostBytes = 0;
        long n = layout.Rows;
        byte vectors = (byte)'V';
        CudaStatus.CheckCusolver(
            CusolverMpNative.SyevdBufferSize(
                _handle, &vectors, CusolverMpNative.Lower, n, (void*)a, 1, 1, descriptor.Handle, (void*)values, (void*)q, 1, 1, descriptor.Handle, CusolverMpNative.Double,
                &deviceBytes, &hostBytes),
            "cusolverMpSyevd_bufferSize");
        using var work = new Workspace(_device, deviceBytes, hostBytes);
        CudaStatus.CheckCusolver(
            CusolverMpNative.Syevd(
                _handle, &vectors, CusolverMpNative.Lower, n, (void*)a, 1, 1, descriptor.Handle, (void*)values, (void*)q, 1, 1, descriptor.Handle, CusolverMpNative.Double,
                work.Device, deviceBytes, work.Host, hostBytes, work.Info),
            "cusolverMpSyevd");
        return work.ReadInfo("cusolverMpSyevd");
    }

    private Descriptor Describe(BlockCyclicLayout layout)
    {
        nint descriptor;
        CudaStatus.CheckCusolver(
            CusolverMpNative.CreateMatrixDescriptor(
                &descriptor, _grid, CusolverMpNative.Double, layout.Rows, layout.Columns, layout.Block, layout.Block, 0, 0, layout.LeadingDimension),
            "cusolverMpCreateMatrixDesc");
        return new Descriptor(descriptor);
    }

    /// <summary>Destroys the grid, the handle and the communicator, in that order, on the rank's device (not collective).</summary>
    public void Dispose()
    {
        if (_grid != 0 || _handle != 0 || _communicator != 0)
        {
            _device.Bind();
        }

        if (_grid != 0)
        {
            CusolverMpNative.DestroyGrid(_grid);
            _grid = 0;
        }

        if (_handle != 0)
        {
            CusolverMpNative.Destroy(_handle);
            _handle = 0;
        }

        if (_communicator != 0)
        {
            NcclNative.CommDestroy(_communicator);
            _communicator = 0;
        }
    }

    private readonly struct Descriptor(nint handle) : IDisposable
    {
        public nint Handle { get; } = handle;

        public void Dispose() => CusolverMpNative.DestroyMatrixDescriptor(Handle);
    }

    /// <summary>A routine's device and host workspaces and its device info, freed after the stream drains.</summary>
    private sealed class Workspace : IDisposable
    {
        private readonly GpuDevice _device;
        private readonly ILGPU.Runtime.MemoryBuffer1D<byte, ILGPU.Stride1D.Dense> _deviceWork;
        private readonly ILGPU.Runtime.MemoryBuffer1D<int, ILGPU.Stride1D.Dense> _info;

        public Workspace(GpuDevice device, nuint deviceBytes, nuint hostBytes)
        {
            _device = device;
            _deviceWork = GpuHost.Allocate<byte>(device.Accelerator, (long)deviceBytes, "cuSOLVERMp's device workspace");
            _info = GpuHost.Allocate<int>(device.Accelerator, 1, "cuSOLVERMp's info");
            GpuHost.CopyIn(device.Stream, _info.View, [0]);
            Host = NativeMemory.Alloc(Math.Max(1, hostBytes));
        }

        public void* Device => (void*)_deviceWork.NativePtr;

        public void* Host { get; }

        public int* Info => (int*)_info.NativePtr;

        /// <summary>The info after the stream drains; a negative one is an argument the routine refused.</summary>
        public int ReadInfo(string routine)
        {
            var value = new int[1];
            GpuHost.Download(_device.Stream, _info.View, value.AsSpan());
            return value[0] >= 0 ? value[0] : throw new InvalidOperationException($"{routine} refused its argument {-value[0]}");
        }

        public void Dispose()
        {
            _device.Synchronize();
            NativeMemory.Free(Host);
            _deviceWork.Dispose();
            _info.Dispose();
        }
    }
}
