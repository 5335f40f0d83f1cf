using System.Globalization;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;
using GpuNngp.Solvers.Distributed;

namespace GpuNngp.Engine.Distributed;

/// <summary>
/// The distributed provider on GPU ranks, one rank per GPU: the CPU ranks' buffers, block-cyclic layout,
/// gathers and host passes (<see cref="DistributedProvider"/>), with each rank's heavy work on its GPU —
/// the Gram block by a cuBLAS gemm and the layer map by the single-GPU provider's map kernel on the
/// rank's own entries, potrf, potrs and syevd by cuSOLVERMp (<see cref="CusolverMpGrid"/>).
/// A rank's blocks stay in its host memory between operations; each operation stages its operands to
/// the GPU and back. Where cuSOLVERMp has no counterpart of the CPU ranks' PBLAS calls, the exact
/// simple path: a product with a block-cyclic operand (pdgemm) gathers that operand to every rank (a sum
/// over the ranks), then each rank computes its blocks of C by one local gemm; the triangular solve
/// (pdtrsm) gathers the factor and the right-hand sides and runs one cuBLAS trsm on every rank; the
/// jitter loop's mirror (pdtran) and column copies between layouts (pdgemr2d) go through the gathered
/// matrix. Compiled and tested up to its refusals only: not yet run on a GPU.
/// </summary>
internal sealed class GpuRankProvider : DistributedProvider
{
    private readonly GpuProvider _gpu;
    private readonly CusolverMpGrid _solver;

    private GpuRankProvider(MpiSession session, ProcessGrid grid, IHostLinearAlgebra local, GpuProvider gpu, CusolverMpGrid solver)
        : base(session, grid, local, string.Create(CultureInfo.InvariantCulture,
            $"distributed GPU ranks ({(session.Library == MpiSession.Alone ? "1 rank, " + MpiSession.Alone : $"{session.Size} MPI rank{(session.Size == 1 ? "" : "s")}")}, one GPU each, {grid}, {solver.Versions}; rank {session.Rank}: {gpu.Name})"))
    {
        _gpu = gpu;
        _solver = solver;
    }

    /// <summary>
    /// The provider over every rank of this MPI job, each on the GPU of its rank on the node (collective;
    /// outside a launcher, one rank in this process without MPI):
    /// refused in one line, on every rank alike, where cuSOLVERMp, NCCL, the CUDA runtime or a GPU is missing.
    /// </summary>
    public static GpuRankProvider CreateOnGpus(IHostLinearAlgebra local)
    {
        var session = MpiSession.Start(aloneOutsideLauncher: true);
        var grid = ProcessGrid.WithoutBlacs(session.Rank, session.Size, ProcessGrid.BlockFromEnvironment());
        string asked = $"device = DeviceKind.Distributed with {RanksVariable}=gpu";
        session.Agree(GpuRankLibraries.Missing() is { } missing ? new NngpDeviceException($"{asked}: {missing}") : null);

        GpuProvider? gpu = null;
        CusolverMpGrid.Agreed(session, () =>
        {
            if (!GpuProvider.TryCreate(out gpu, out string reason, MpiSession.LocalRank))
            {
                throw new NngpDeviceException($"{asked}: no usable GPU for this rank: {reason}");
            }
        });

        try
        {
            return new GpuRankProvider(session, grid, local, gpu!, CusolverMpGrid.Open(session, grid, gpu!.Gpu));
        }
        catch
        {
            gpu?.Dispose();
            throw;
        }
    }

    public override bool IsGpu => true;

    /// <summary>False: the map runs in a device kernel, which cannot call a managed delegate.</summary>
    public override bool RunsCustomActivations => false;

    public override IPreparedMap PrepareMap(HostNetworkView network, KernelLookupTable? tables) => _gpu.PrepareMap(network, tables);

    /// <summary>cuSOLVERMp has no pdgemm: a block-cyclic operand is gathered to every rank first, then each rank's blocks of C are one local gemm.</summary>
    public override void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double alpha, ProviderBuffer a, ProviderBuffer b, double beta, ProviderBuffer c, CancellationToken cancellationToken = default)
    {
        DistributedBuffer da = Distributed(a), db = Distributed(b);
        if (da.Replicated is null)
        {
            Full(da);
        }

        if (db.Replicated is null)
        {
            Full(db);
        }

        base.Multiply(transposeA, transposeB, m, n, k, alpha, a, b, beta, c, cancellationToken);
    }

    /// <summary>The rank's gemm on its GPU (cuBLAS), its operands staged there and C brought back.</summary>
    protected override void MultiplyOwn(
        bool transposeA, bool transposeB, int rows, int columns, int k, double alpha, HostBuffer a, HostBuffer b, double beta, HostBuffer c, CancellationToken cancellationToken)
    {
        long count = (long)rows * columns;
        using var deviceA = ToDevice(a, a.Length, "a rank's rows of a product");
        using var deviceB = ToDevice(b, b.Length, "a rank's columns of a product");
        using var deviceC = beta == 0 ? _gpu.Allocate(count, "a rank's blocks of a product") : ToDevice(c, count, "a rank's blocks of a product");
        _gpu.Multiply(transposeA, transposeB, rows, columns, k, alpha, deviceA, deviceB, beta, deviceC, cancellationToken);
        FromDevice(deviceC, c, count);
    }

    /// <summary>
    /// The device map kernel over the rank's whole local rectangle (above the diagonal too, where a lower
    /// triangle is asked: those entries are K⁰ values, mapped harmlessly and never read), with the rows'
    /// and columns' variances in local order.
    /// </summary>
    protected override void MapOwn(
        IPreparedMap map, HostBuffer local, BlockCyclicLayout layout, double[] localRows, double[] localColumns, KernelKind kind, ProgressCounter progress, bool lowerTriangle)
    {
        long count = (long)layout.LocalRows * layout.LocalColumns;
        using var device = ToDevice(local, count, "a rank's blocks of the kernel");
        _gpu.MapRectangle(map, device, layout.LocalRows, layout.LocalColumns, localRows, localColumns, kind, progress);
        FromDevice(device, local, count);
        progress.Advance(lowerTriangle ? OwnLowerTriangleEntries(layout) : count);
    }

    /// <summary>How many of the rank's entries lie on or below the diagonal (the entries a lower triangle's progress counts).</summary>
    internal static long OwnLowerTriangleEntries(BlockCyclicLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        long entries = 0;
        for (int jl = 0; jl < layout.LocalColumns; jl++)
        {
            entries += layout.LocalRows - Math.Min(layout.LocalRows, layout.RowAxis.LocalCountBelow(layout.ColumnAxis.ToGlobal(jl)));
        }

        return entries;
    }

    /// <summary>pdgemr2d has no cuSOLVERMp counterpart: a block-cyclic source is gathered first, then each rank takes its own entries.</summary>
    public override void Copy(ProviderBuffer source, long sourceOffset, ProviderBuffer target, long targetOffset, long count)
    {
        var from = Distributed(source);
        if (from.Layout is not null)
        {
            Full(from);
        }

        base.Copy(source, sourceOffset, target, targetOffset, count);
    }

    /// <summary>pdtran has no cuSOLVERMp counterpart: the jitter loop's mirror goes through the gathered matrix (N² values on each rank's host).</summary>
    public override void MirrorLowerToUpper(ProviderBuffer matrix, int n) => ThroughGathered(matrix, n, SymmetricTriangles.MirrorLowerToUpper);

    /// <inheritdoc cref="MirrorLowerToUpper"/>
    public override void RestoreLowerFromUpper(ProviderBuffer matrix, int n) => ThroughGathered(matrix, n, SymmetricTriangles.RestoreLowerFromUpper);

    private void ThroughGathered(ProviderBuffer matrix, int n, Action<HostBuffer, int> change)
    {
        var buffer = Distributed(matrix);
        change(Full(buffer), n);
        Local(buffer, n, n, keep: true);
    }

    /// <summary>cuSOLVERMp's potrf on the rank's staged blocks; the failed minor agreed over the ranks.</summary>
    public override int CholeskyFactor(ProviderBuffer matrix, int n, Action<double>? progress, CancellationToken cancellationToken)
    {
        Grid.CheckFits(n);
        cancellationToken.ThrowIfCancellationRequested();
        var buffer = Distributed(matrix);
        var layout = Local(buffer, n, n, keep: true);
        int info = 0;
        using (var device = StagedForSolver(buffer.Local!, layout, "a rank's blocks of K_DD"))
        {
            info = _solver.Factor(device.Pointer, layout);
            FromDevice(device, buffer.Local!, layout.LocalCount);
        }

        long failed = Session.Max(info > 0 ? info : 0);
        if (failed == 0)
        {
            progress?.Invoke(1);
        }

        return (int)failed;
    }

    /// <summary>cuSOLVERMp's potrs on the rank's staged blocks of the factor and of B.</summary>
    public override void CholeskySolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs)
    {
        DistributedBuffer l = Distributed(factor), rhs = Distributed(b);
        var factorLayout = Local(l, n, n, keep: true);
        var rhsLayout = Local(rhs, n, nrhs, keep: true);
        using var deviceL = StagedForSolver(l.Local!, factorLayout, "a rank's blocks of the factor");
        using var deviceB = StagedForSolver(rhs.Local!, rhsLayout, "a rank's blocks of the right-hand sides");
        _solver.Solve(deviceL.Pointer, factorLayout, deviceB.Pointer, rhsLayout);
        FromDevice(deviceB, rhs.Local!, rhsLayout.LocalCount);
    }

    /// <summary>
    /// cuSOLVERMp has no distributed trsm: the factor and B are gathered to every rank, each rank solves
    /// L·X = B whole with one cuBLAS trsm on its GPU (the same call as the single-GPU provider's), and the
    /// factor goes back to its blocks. B stays replicated (what the variances read next).
    /// </summary>
    public override void LowerTriangularSolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DistributedBuffer l = Distributed(factor), rhs = Distributed(b);
        HostBuffer fullL = Full(l), fullB = Full(rhs);
        long values = ColumnMajor.Count(n, nrhs);
        using (var deviceL = ToDevice(fullL, ColumnMajor.Count(n, n), "the gathered factor"))
        using (var deviceB = ToDevice(fullB, values, "the gathered right-hand sides"))
        {
            _gpu.LowerTriangularSolve(deviceL, n, deviceB, nrhs, cancellationToken);
            FromDevice(deviceB, fullB, values);
        }

        Local(l, n, n, keep: true);
    }

    /// <summary>cuSOLVERMp's syevd on the rank's staged blocks: the eigenvectors over the matrix's blocks, the eigenvalues on every rank.</summary>
    public override void SymmetricEigen(ProviderBuffer matrix, int n, ProviderBuffer eigenvalues)
    {
        var buffer = Distributed(matrix);
        var layout = Local(buffer, n, n, keep: true);
        int unconverged;
        var values = new double[n];
        using (var deviceA = StagedForSolver(buffer.Local!, layout, "a rank's blocks of the matrix"))
        using (var deviceQ = _gpu.Allocate(CusolverMpGrid.DeviceLength(layout), "a rank's blocks of the eigenvectors"))
        using (var deviceValues = _gpu.Allocate(n, "the eigenvalues"))
        {
            unconverged = _solver.Eigen(deviceA.Pointer, layout, ((GpuBuffer)deviceValues).Pointer, ((GpuBuffer)deviceQ).Pointer);
            FromDevice(deviceQ, buffer.Local!, layout.LocalCount);
            _gpu.CopyOut(deviceValues, 0, values);
        }

        if (Session.Max(unconverged) > 0)
        {
            throw new NngpNumericalException($"cuSOLVERMp's syevd did not converge for the {n}×{n} kernel (info {unconverged})");
        }

        Distributed(eigenvalues).SetReplicated(HostBuffer.CopyOf(values));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _solver.Dispose();
            _gpu.Dispose();
        }
    }

    /// <summary>
    /// The rank's local array on its GPU, sized as cuSOLVERMp may read it (<see cref="CusolverMpGrid.DeviceLength"/>),
    /// then agreed: no rank enters a collective solver call while another failed to stage.
    /// </summary>
    private GpuBuffer StagedForSolver(HostBuffer local, BlockCyclicLayout layout, string what)
    {
        GpuBuffer? device = null;
        CusolverMpGrid.Agreed(Session, () =>
        {
            device = (GpuBuffer)_gpu.Allocate(CusolverMpGrid.DeviceLength(layout), what);
            CopyToDevice(local, layout.LocalCount, device);
        });
        return device!;
    }

    private GpuBuffer ToDevice(HostBuffer host, long count, string what)
    {
        var device = (GpuBuffer)_gpu.Allocate(count, what);
        try
        {
            CopyToDevice(host, count, device);
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>The first <paramref name="count"/> values, in copies of at most 2²⁷ (a span's length is 32-bit).</summary>
    private void CopyToDevice(HostBuffer host, long count, GpuBuffer device)
    {
        foreach (var (offset, length) in CopyPieces.Of(count))
        {
            GpuHost.CopyIn(_gpu.Gpu.Stream, device.View.SubView(offset, length), host.Slice(offset, length));
        }
    }

    private void FromDevice(ProviderBuffer device, HostBuffer host, long count)
    {
        foreach (var (offset, length) in CopyPieces.Of(count))
        {
            _gpu.CopyOut(device, offset, host.Slice(offset, length));
        }
    }
}
