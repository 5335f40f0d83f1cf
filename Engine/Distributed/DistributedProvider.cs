using System.Globalization;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Spatial;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;
using GpuNngp.Solvers.Distributed;

namespace GpuNngp.Engine.Distributed;

/// <summary>
/// The provider over the ranks of an MPI job: every rank runs the same pipeline on the same inputs;
/// the matrices with a training axis live 2-D block-cyclic on a BLACS grid (<see cref="ProcessGrid"/>),
/// each rank computing its own blocks — the Gram block by a local gemm of the rows it owns against
/// the columns it owns, then the CPU's fused layer map on them — and ScaLAPACK's pdpotrf, pdpotrs,
/// pdtrsm, pdgemm and pdsyevd factorise, solve and multiply. Inputs and small results are replicated;
/// what the pipeline reads back (α, the means, diagonals, sums, a kernel) is gathered by a sum over
/// the ranks of each rank's own entries. Operations are collective: every rank calls them in the same
/// order, and each collective first agrees that no rank has failed (<see cref="MpiSession.Agree"/>).
/// </summary>
/// <remarks>
/// The GPU ranks (<see cref="GpuRankProvider"/>) derive from it: the same buffers, layout, gathers and
/// host passes, with the local products, the map and the linear algebra overridden (cuBLAS, the device
/// map kernels, cuSOLVERMp).
/// </remarks>
internal unsafe class DistributedProvider : IComputeProvider
{
    private readonly MpiSession _session;
    private readonly ProcessGrid _grid;
    private readonly IHostLinearAlgebra _local;
    private CpuProvider? _rankCpu;

    private DistributedProvider(MpiSession session, ProcessGrid grid, IHostLinearAlgebra local)
        : this(session, grid, local, string.Create(CultureInfo.InvariantCulture,
            $"distributed ({session.Size} MPI rank{(session.Size == 1 ? "" : "s")}, {grid}, ScaLAPACK on {session.Library}; each rank {local.Name})"))
    {
    }

    /// <summary>The provider over <paramref name="grid"/>'s ranks, called <paramref name="name"/>.</summary>
    protected DistributedProvider(MpiSession session, ProcessGrid grid, IHostLinearAlgebra local, string name)
    {
        _session = session;
        _grid = grid;
        _local = local;
        Name = name;
        Memory = CpuProvider.ModelFor(local) with { Holder = "each rank's host" };
    }

    /// <summary>This process's MPI session.</summary>
    protected MpiSession Session => _session;

    /// <summary>The process grid every layout is on.</summary>
    protected ProcessGrid Grid => _grid;

    /// <summary>
    /// The provider over every rank of the job this process belongs to, <paramref name="local"/> doing
    /// each rank's own products (collective).
    /// </summary>
    /// <exception cref="NngpDeviceException">Not under an MPI launcher, or Open MPI or ScaLAPACK does not load.</exception>
    public static DistributedProvider Create(IHostLinearAlgebra local)
    {
        ArgumentNullException.ThrowIfNull(local);
        if (GpuRanksAsked())
        {
            return GpuRankProvider.CreateOnGpus(local);
        }

        var session = MpiSession.Start();
        int block = ProcessGrid.BlockFromEnvironment();
        ProcessGrid grid;
        try
        {
            grid = ProcessGrid.Create(session, block);
        }
        catch (DllNotFoundException e)
        {
            throw new NngpDeviceException($"device = DeviceKind.Distributed: {ScalapackNative.Library} does not load (apt-get install libscalapack-openmpi-dev): {e.Message}", e);
        }

        return new DistributedProvider(session, grid, local);
    }

    /// <summary>The environment variable that asks for GPU ranks (cuSOLVERMp, one rank per GPU) instead of CPU ranks: "gpu".</summary>
    public const string RanksVariable = "GPUNNGP_DISTRIBUTED_RANKS";

    /// <summary>Whether <see cref="RanksVariable"/> asks for GPU ranks; a value that is neither cpu nor gpu is refused in one line.</summary>
    public static bool GpuRanksAsked()
    {
        string? ranks = Environment.GetEnvironmentVariable(RanksVariable);
        if (string.IsNullOrEmpty(ranks) || ranks.Equals("cpu", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (!ranks.Equals("gpu", StringComparison.OrdinalIgnoreCase))
        {
            throw new NngpInputException($"{RanksVariable} = '{ranks}': the distributed ranks are cpu (ScaLAPACK, the default) or gpu (cuSOLVERMp)");
        }

        return true;
    }

    /// <summary>
    /// A PCG fit on the ranks (docs/mathematics.md, "PCG on MPI ranks"): not on the block-cyclic
    /// layout, whose solvers PCG does not use, but on each rank's own CPU, each rank computing its
    /// contiguous share of K_DD's rows (<see cref="MpiRowPartition"/>) and every product gathered
    /// exactly (collective: every rank calls it alike).
    /// </summary>
    public Iterative.PcgModel FitPcg(FitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _rankCpu ??= new CpuProvider(_local);
        return Iterative.PcgModel.Fit(_rankCpu, request, new MpiRowPartition(_session, request.X.RowCount), cancellationToken);
    }

    public string Name { get; }

    public virtual bool IsGpu => false;

    public virtual bool RunsCustomActivations => true;

    public MemoryModel Memory { get; }

    /// <summary>The job's rank count.</summary>
    public int Ranks => _session.Size;

    /// <summary>Unknown: the kernel is spread over the ranks' hosts, which MemAvailable of one cannot judge.</summary>
    public long? AvailableBytes() => null;

    public ProviderBuffer Allocate(long length, string what) => new DistributedBuffer(length);

    public ProviderBuffer Upload(ReadOnlySpan<double> values, string what)
    {
        CheckSameOnEveryRank(values, what);
        var buffer = new DistributedBuffer(values.Length);
        buffer.SetReplicated(HostBuffer.CopyOf(values));
        return buffer;
    }

    public void CopyIn(ProviderBuffer target, ReadOnlySpan<double> values)
    {
        CheckSameOnEveryRank(values, "the values copied in");
        var buffer = Distributed(target);

        // The rest of the buffer keeps its values, as on one process: a block-cyclic one is gathered first.
        HostBuffer full = buffer.Layout is null ? buffer.Replicated ?? HostBuffer.Allocate(buffer.Length) : Full(buffer);
        values.CopyTo(full.Slice(0, values.Length));
        if (buffer.Replicated is null)
        {
            buffer.SetReplicated(full);
        }
    }

    public void CopyOut(ProviderBuffer source, long offset, Span<double> target)
    {
        var buffer = Distributed(source);
        if (buffer.Replicated is { } full)
        {
            full.Slice(offset, target.Length).CopyTo(target);
            return;
        }

        if (buffer.Layout is { } layout && offset % layout.Rows == 0 && target.Length % layout.Rows == 0)
        {
            GatherColumns(buffer, layout, (int)(offset / layout.Rows), target.Length / layout.Rows, target);
            return;
        }

        Full(buffer).Slice(offset, target.Length).CopyTo(target);
    }

    public virtual void Copy(ProviderBuffer source, long sourceOffset, ProviderBuffer target, long targetOffset, long count)
    {
        DistributedBuffer from = Distributed(source), to = Distributed(target);
        int rows = from.Layout?.Rows ?? to.Layout?.Rows ?? 0;
        bool columns = rows > 0 && sourceOffset % rows == 0 && targetOffset % rows == 0 && count % rows == 0;
        if (columns && from.Layout is { } fromLayout)
        {
            // Block-cyclic columns to block-cyclic columns: ScaLAPACK moves the entries between their owners.
            int m = rows, n = (int)(count / rows), ia = 1, ja = (int)(sourceOffset / rows) + 1, ib = 1, jb = (int)(targetOffset / rows) + 1, context = _grid.Context;
            var toLayout = Local(to, rows, (int)(to.Length / rows), keep: true);
            int[] descA = fromLayout.Descriptor(context), descB = toLayout.Descriptor(context);
            _session.Agree(null);
            fixed (int* a = descA, b = descB)
            {
                ScalapackNative.Pdgemr2d(&m, &n, from.Local!.Pointer, &ia, &ja, a, to.Local!.Pointer, &ib, &jb, b, &context);
            }

            return;
        }

        if (columns && from.Replicated is { } full && to.Layout is { } layout)
        {
            // Replicated columns into a block-cyclic matrix: each rank takes its own entries, no messages.
            int first = (int)(targetOffset / rows), width = (int)(count / rows);
            for (int jl = 0; jl < layout.LocalColumns; jl++)
            {
                int j = layout.ColumnAxis.ToGlobal(jl);
                if (j < first || j >= first + width)
                {
                    continue;
                }

                long column = sourceOffset + (long)(j - first) * rows;
                for (int il = 0; il < layout.LocalRows; il++)
                {
                    to.Local![layout.LocalIndex(il, jl)] = full[column + layout.RowAxis.ToGlobal(il)];
                }
            }

            return;
        }

        // Anything else (not whole columns): through the replicated forms.
        Full(from).CopyTo(sourceOffset, Full(to), targetOffset, count);
    }

    public void CopyLowerTriangle(ProviderBuffer source, ProviderBuffer target, int n)
    {
        var from = Distributed(source);
        var layout = Local(from, n, n, keep: true);
        var to = Distributed(target);
        var toLayout = Local(to, n, n, keep: false);
        if (toLayout != layout)
        {
            throw new InvalidOperationException("the two n×n buffers have different layouts");
        }

        new Span<double>(from.Local!.Pointer, checked((int)layout.LocalCount)).CopyTo(new Span<double>(to.Local!.Pointer, checked((int)layout.LocalCount)));
    }

    public HostMatrix ToHost(ProviderBuffer matrix, int rows, int columns)
    {
        var buffer = Distributed(matrix);
        Full(buffer);
        var host = HostMatrix.Wrap(rows, columns, buffer.DetachReplicated());
        buffer.Dispose();
        return host;
    }

    public void SymmetricRankK(int n, int k, double alpha, ProviderBuffer a, ProviderBuffer c, CancellationToken cancellationToken = default)
    {
        Multiply(false, true, n, n, k, alpha, a, a, 0, c, cancellationToken);
    }

    public virtual void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double alpha, ProviderBuffer a, ProviderBuffer b, double beta, ProviderBuffer c, CancellationToken cancellationToken = default)
    {
        DistributedBuffer da = Distributed(a), db = Distributed(b), dc = Distributed(c);
        var layout = Local(dc, m, n, keep: beta != 0);
        if (da.Replicated is { } fullA && db.Replicated is { } fullB)
        {
            // Both factors on every rank: each rank's blocks of C are one local gemm of the rows of
            // op(A) it owns against the columns of op(B) it owns, written straight into its local array.
            LocalProduct(transposeA, transposeB, layout, k, alpha, fullA, fullB, beta, dc.Local!, cancellationToken);
            return;
        }

        var layoutA = transposeA ? Local(da, k, m, keep: true) : Local(da, m, k, keep: true);
        var layoutB = transposeB ? Local(db, n, k, keep: true) : Local(db, k, n, keep: true);
        int context = _grid.Context, one = 1;
        int[] descA = layoutA.Descriptor(context), descB = layoutB.Descriptor(context), descC = layout.Descriptor(context);
        byte ta = (byte)(transposeA ? 'T' : 'N'), tb = (byte)(transposeB ? 'T' : 'N');
        _session.Agree(null);
        fixed (int* pa = descA, pb = descB, pc = descC)
        {
            ScalapackNative.Pdgemm(&ta, &tb, &m, &n, &k, &alpha, da.Local!.Pointer, &one, &one, pa, db.Local!.Pointer, &one, &one, pb, &beta, dc.Local!.Pointer, &one, &one, pc, 1, 1);
        }
    }

    private void LocalProduct(
        bool transposeA, bool transposeB, BlockCyclicLayout layout, int k, double alpha, HostBuffer a, HostBuffer b, double beta, HostBuffer c, CancellationToken cancellationToken)
    {
        int rows = layout.LocalRows, columns = layout.LocalColumns;
        if (rows == 0 || columns == 0 || k == 0)
        {
            return;
        }

        // The same transposes as the single-process call, so that each entry sums its k products alike.
        using HostBuffer ownA = transposeA ? GatherColumns(a, k, layout.RowAxis) : GatherRows(a, layout.Rows, k, layout.RowAxis);
        using HostBuffer ownB = transposeB ? GatherRows(b, layout.Columns, k, layout.ColumnAxis) : GatherColumns(b, k, layout.ColumnAxis);
        MultiplyOwn(transposeA, transposeB, rows, columns, k, alpha, ownA, ownB, beta, c, cancellationToken);
    }

    /// <summary>
    /// One rank's local gemm C (rows×columns) = α·op(A)·op(B) + β·C on its gathered rows and columns,
    /// C being its local array (leading dimension = rows): the host's BLAS here.
    /// </summary>
    protected virtual void MultiplyOwn(
        bool transposeA, bool transposeB, int rows, int columns, int k, double alpha, HostBuffer a, HostBuffer b, double beta, HostBuffer c, CancellationToken cancellationToken) =>
        _local.Multiply(transposeA, transposeB, rows, columns, k, alpha, a, b, beta, c, cancellationToken);

    /// <summary>The rows of the column-major rows×k <paramref name="matrix"/> that <paramref name="axis"/> owns, as a (local rows)×k matrix.</summary>
    private static HostBuffer GatherRows(HostBuffer matrix, int rows, int k, BlockCyclicAxis axis)
    {
        var own = HostBuffer.Allocate((long)axis.LocalLength * k);
        for (int p = 0; p < k; p++)
        {
            long column = (long)p * rows, target = (long)p * axis.LocalLength;
            for (int l = 0; l < axis.LocalLength; l++)
            {
                own[target + l] = matrix[column + axis.ToGlobal(l)];
            }
        }

        return own;
    }

    /// <summary>The columns of the column-major k×(axis length) <paramref name="matrix"/> that <paramref name="axis"/> owns, as a k×(local columns) matrix.</summary>
    private static HostBuffer GatherColumns(HostBuffer matrix, int k, BlockCyclicAxis axis)
    {
        var own = HostBuffer.Allocate((long)axis.LocalLength * k);
        for (int l = 0; l < axis.LocalLength; l++)
        {
            matrix.Slice((long)axis.ToGlobal(l) * k, k).CopyTo(own.Slice((long)l * k, k));
        }

        return own;
    }

    public virtual IPreparedMap PrepareMap(HostNetworkView network, KernelLookupTable? tables) => new CpuPreparedMap(network, tables);

    public ISpatialKernel PrepareSpatial(SliceProgram program, bool ntk, KernelPrecision precision = KernelPrecision.Double) =>
        throw new NngpInputException(
            "device = DeviceKind.Distributed computes the kernels of fully connected (Dense/φ) networks; a convolutional network runs on one process (DeviceKind.Cpu or DeviceKind.Gpu)");

    public void MapLowerTriangle(IPreparedMap map, ProviderBuffer matrix, int n, double[] layerVariances, KernelKind kind, ProgressCounter progress) =>
        MapLocal(map, matrix, n, n, layerVariances, layerVariances, kind, progress, lowerTriangle: true);

    public void MapRectangle(
        IPreparedMap map, ProviderBuffer matrix, int rows, int columns, double[] rowVariances, double[] columnVariances, KernelKind kind, ProgressCounter progress) =>
        MapLocal(map, matrix, rows, columns, rowVariances, columnVariances, kind, progress, lowerTriangle: false);

    /// <summary>
    /// The CPU's fused map over this rank's entries: its rows' and columns' layer-major variances
    /// gathered into local order, then each local column from its first row on or below the diagonal
    /// (a lower triangle) or whole.
    /// </summary>
    private void MapLocal(
        IPreparedMap map, ProviderBuffer matrix, int rows, int columns, double[] rowVariances, double[] columnVariances, KernelKind kind, ProgressCounter progress, bool lowerTriangle)
    {
        var buffer = Distributed(matrix);
        var layout = Local(buffer, rows, columns, keep: true);
        if (layout.LocalRows == 0 || layout.LocalColumns == 0)
        {
            return;
        }

        double[] localRows = LocalVariances(rowVariances, rows, layout.RowAxis);
        double[] localColumns = LocalVariances(columnVariances, columns, layout.ColumnAxis);
        MapOwn(map, buffer.Local!, layout, localRows, localColumns, kind, progress, lowerTriangle);
    }

    /// <summary>
    /// The fused map over one rank's local array of <paramref name="layout"/>, its rows' and columns'
    /// layer-major variances in local order: the CPU's column map here, from each local column's first
    /// row on or below the diagonal where <paramref name="lowerTriangle"/>.
    /// </summary>
    protected virtual void MapOwn(
        IPreparedMap map, HostBuffer local, BlockCyclicLayout layout, double[] localRows, double[] localColumns, KernelKind kind, ProgressCounter progress, bool lowerTriangle)
    {
        var prepared = map as CpuPreparedMap ?? throw new ArgumentException("the map was prepared by another provider", nameof(map));
        var columnMap = new ColumnMap(
            prepared.Network, local.Pointer, localRows, layout.LocalRows, localColumns, layout.LocalColumns, kind, ColumnMap.WidestFor(prepared.Network), prepared.Tables);
        Parallel.For(0, layout.LocalColumns, progress.Parallelism, jl =>
        {
            int firstRow = lowerTriangle ? layout.RowAxis.LocalCountBelow(layout.ColumnAxis.ToGlobal(jl)) : 0;
            if (firstRow < layout.LocalRows)
            {
                columnMap.Map(jl, firstRow);
            }

            progress.Advance(layout.LocalRows - firstRow);
        });
    }

    /// <summary>Layer-major variances (layers × count) of the points <paramref name="axis"/> owns, in local order.</summary>
    private static double[] LocalVariances(double[] variances, int count, BlockCyclicAxis axis)
    {
        int layers = count == 0 ? 0 : variances.Length / count;
        var local = new double[(long)layers * axis.LocalLength];
        for (int layer = 0; layer < layers; layer++)
        {
            for (int l = 0; l < axis.LocalLength; l++)
            {
                local[(long)layer * axis.LocalLength + l] = variances[(long)layer * count + axis.ToGlobal(l)];
            }
        }

        return local;
    }

    public void SetDiagonal(ProviderBuffer matrix, int n, double[] values, double noise, double jitter)
    {
        var buffer = Distributed(matrix);
        var layout = Local(buffer, n, n, keep: true);
        ForOwnDiagonal(layout, (i, index) => buffer.Local![index] = values[i] + noise + jitter);
    }

    public double[] Diagonal(ProviderBuffer matrix, int n)
    {
        var buffer = Distributed(matrix);
        var diagonal = new double[n];
        if (buffer.Replicated is { } full)
        {
            for (int i = 0; i < n; i++)
            {
                diagonal[i] = full[ColumnMajor.Index(i, i, n)];
            }

            return diagonal;
        }

        var layout = Local(buffer, n, n, keep: true);
        ForOwnDiagonal(layout, (i, index) => diagonal[i] = buffer.Local![index]);
        _session.SumInPlace(diagonal);
        return diagonal;
    }

    /// <summary>Each diagonal entry this rank stores: its global index and its local array index.</summary>
    private static void ForOwnDiagonal(BlockCyclicLayout layout, Action<int, long> entry)
    {
        for (int jl = 0; jl < layout.LocalColumns; jl++)
        {
            int j = layout.ColumnAxis.ToGlobal(jl);
            if (layout.RowAxis.Owns(j))
            {
                entry(j, layout.LocalIndex(layout.RowAxis.ToLocal(j), jl));
            }
        }
    }

    public virtual void MirrorLowerToUpper(ProviderBuffer matrix, int n) => CopyFromTranspose(matrix, n, upper: true);

    public virtual void RestoreLowerFromUpper(ProviderBuffer matrix, int n) => CopyFromTranspose(matrix, n, upper: false);

    /// <summary>Aᵀ into a scratch matrix by PBLAS's pdtran, then the strict upper (or lower) triangle of A from it.</summary>
    private void CopyFromTranspose(ProviderBuffer matrix, int n, bool upper)
    {
        var buffer = Distributed(matrix);
        var layout = Local(buffer, n, n, keep: true);
        using var transpose = HostBuffer.Allocate(layout.LocalCount);
        transpose.Clear();
        int context = _grid.Context, one = 1, size = n;
        double alpha = 1, beta = 0;
        int[] descriptor = layout.Descriptor(context);
        _session.Agree(null);
        fixed (int* d = descriptor)
        {
            ScalapackNative.Pdtran(&size, &size, &alpha, buffer.Local!.Pointer, &one, &one, d, &beta, transpose.Pointer, &one, &one, d);
        }

        for (int jl = 0; jl < layout.LocalColumns; jl++)
        {
            int j = layout.ColumnAxis.ToGlobal(jl);
            for (int il = 0; il < layout.LocalRows; il++)
            {
                int i = layout.RowAxis.ToGlobal(il);
                if (upper ? i < j : i > j)
                {
                    buffer.Local![layout.LocalIndex(il, jl)] = transpose[layout.LocalIndex(il, jl)];
                }
            }
        }
    }

    public long FirstNonFiniteLowerTriangle(ProviderBuffer matrix, int n)
    {
        var buffer = Distributed(matrix);
        var layout = Local(buffer, n, n, keep: true);
        long first = long.MaxValue;
        for (int jl = 0; jl < layout.LocalColumns; jl++)
        {
            int j = layout.ColumnAxis.ToGlobal(jl);
            for (int il = layout.RowAxis.LocalCountBelow(j); il < layout.LocalRows; il++)
            {
                if (!double.IsFinite(buffer.Local![layout.LocalIndex(il, jl)]))
                {
                    first = Math.Min(first, ColumnMajor.Index(layout.RowAxis.ToGlobal(il), j, n));
                    break;
                }
            }
        }

        first = _session.Min(first);
        return first == long.MaxValue ? -1 : first;
    }

    public virtual int CholeskyFactor(ProviderBuffer matrix, int n, Action<double>? progress, CancellationToken cancellationToken)
    {
        // Only the training kernel is factorised: the layout's lower bound on N is checked here, after
        // a kernel that small (under 64 · √P rows) took no time to build; a test set may be smaller.
        _grid.CheckFits(n);
        cancellationToken.ThrowIfCancellationRequested();
        var buffer = Distributed(matrix);
        var layout = Local(buffer, n, n, keep: true);
        int[] descriptor = layout.Descriptor(_grid.Context);
        int size = n, one = 1, info = 0;
        byte lower = (byte)'L';
        _session.Agree(null);
        fixed (int* d = descriptor)
        {
            ScalapackNative.Pdpotrf(&lower, &size, buffer.Local!.Pointer, &one, &one, d, &info, 1);
        }

        CheckArgument("pdpotrf", info);

        // The failed minor as the first rank to see it reports it (ScaLAPACK gives it to every rank).
        long failed = _session.Max(info > 0 ? info : 0);
        if (failed == 0)
        {
            progress?.Invoke(1);
        }

        return (int)failed;
    }

    public virtual void CholeskySolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs)
    {
        var (l, lLayout, rhs, rhsLayout) = FactorAndRightHandSides(factor, n, b, nrhs);
        int size = n, count = nrhs, one = 1, info = 0;
        byte lower = (byte)'L';
        int[] descA = lLayout.Descriptor(_grid.Context), descB = rhsLayout.Descriptor(_grid.Context);
        _session.Agree(null);
        fixed (int* da = descA, db = descB)
        {
            ScalapackNative.Pdpotrs(&lower, &size, &count, l.Local!.Pointer, &one, &one, da, rhs.Local!.Pointer, &one, &one, db, &info, 1);
        }

        CheckArgument("pdpotrs", info);
    }

    public virtual void LowerTriangularSolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (l, lLayout, rhs, rhsLayout) = FactorAndRightHandSides(factor, n, b, nrhs);
        int size = n, count = nrhs, one = 1;
        double alpha = 1;
        byte left = (byte)'L', lower = (byte)'L', none = (byte)'N', nonUnit = (byte)'N';
        int[] descA = lLayout.Descriptor(_grid.Context), descB = rhsLayout.Descriptor(_grid.Context);
        _session.Agree(null);
        fixed (int* da = descA, db = descB)
        {
            ScalapackNative.Pdtrsm(&left, &lower, &none, &nonUnit, &size, &count, &alpha, l.Local!.Pointer, &one, &one, da, rhs.Local!.Pointer, &one, &one, db, 1, 1, 1, 1);
        }
    }

    private (DistributedBuffer Factor, BlockCyclicLayout FactorLayout, DistributedBuffer Rhs, BlockCyclicLayout RhsLayout) FactorAndRightHandSides(
        ProviderBuffer factor, int n, ProviderBuffer b, int nrhs)
    {
        DistributedBuffer l = Distributed(factor), rhs = Distributed(b);
        return (l, Local(l, n, n, keep: true), rhs, Local(rhs, n, nrhs, keep: true));
    }

    /// <summary>pdsyevd into a scratch eigenvector matrix, then over the matrix; the eigenvalues come back on every rank.</summary>
    public virtual void SymmetricEigen(ProviderBuffer matrix, int n, ProviderBuffer eigenvalues)
    {
        var buffer = Distributed(matrix);
        var layout = Local(buffer, n, n, keep: true);
        HostBuffer? vectors = HostBuffer.Allocate(layout.LocalCount);
        HostBuffer? values = HostBuffer.Allocate(n);
        try
        {
            int size = n, one = 1, info = 0, lwork = -1, liwork = -1, iworkQuery = 0;
            double workQuery = 0;
            byte jobz = (byte)'V', lower = (byte)'L';
            int[] descriptor = layout.Descriptor(_grid.Context);
            _session.Agree(null);
            fixed (int* d = descriptor)
            {
                ScalapackNative.Pdsyevd(&jobz, &lower, &size, buffer.Local!.Pointer, &one, &one, d, values.Pointer, vectors.Pointer, &one, &one, d, &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1);
                CheckArgument("pdsyevd", info);
                lwork = checked((int)workQuery + 1);
                liwork = Math.Max(iworkQuery, 1);
                double[] work = new double[lwork];
                int[] iwork = new int[liwork];
                fixed (double* w = work)
                fixed (int* iw = iwork)
                {
                    ScalapackNative.Pdsyevd(&jobz, &lower, &size, buffer.Local!.Pointer, &one, &one, d, values.Pointer, vectors.Pointer, &one, &one, d, w, &lwork, iw, &liwork, &info, 1, 1);
                }
            }

            CheckArgument("pdsyevd", info);
            if (_session.Max(info) > 0)
            {
                throw new NngpNumericalException($"ScaLAPACK's pdsyevd did not converge for the {n}×{n} kernel (info {info})");
            }

            buffer.SetLocal(layout, vectors);
            vectors = null;
            Distributed(eigenvalues).SetReplicated(values);
            values = null;
        }
        finally
        {
            vectors?.Dispose();
            values?.Dispose();
        }
    }

    public double[] ColumnSumsOfSquares(ProviderBuffer matrix, int rows, int columns)
    {
        var buffer = Distributed(matrix);
        var sums = new double[columns];
        if (buffer.Replicated is { } full)
        {
            for (int j = 0; j < columns; j++)
            {
                double sum = 0;
                foreach (double value in full.Slice(ColumnMajor.ColumnStart(j, rows), rows))
                {
                    sum += value * value;
                }

                sums[j] = sum;
            }

            return sums;
        }

        var layout = Local(buffer, rows, columns, keep: true);
        for (int jl = 0; jl < layout.LocalColumns; jl++)
        {
            double sum = 0;
            for (int il = 0; il < layout.LocalRows; il++)
            {
                double value = buffer.Local![layout.LocalIndex(il, jl)];
                sum += value * value;
            }

            sums[layout.ColumnAxis.ToGlobal(jl)] = sum;
        }

        _session.SumInPlace(sums);
        return sums;
    }

    public void Synchronize()
    {
    }

    /// <summary>Nothing collective: a rank that failed disposes on its way to the agreement, the others after it; the grid ends with MPI.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees what a derived provider holds (the CPU ranks hold nothing beyond their buffers).</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>
    /// The buffer as a rows×columns block-cyclic matrix (its local array sized for the buffer's whole
    /// capacity in columns), converted where it is not: a replicated one by each rank taking its own
    /// entries (no messages), one of other rows through a gather; its contents are kept only where
    /// <paramref name="keep"/>.
    /// </summary>
    protected BlockCyclicLayout Local(DistributedBuffer buffer, int rows, int columns, bool keep)
    {
        if (buffer.Layout is { } current && current.Rows == rows && current.Columns >= columns)
        {
            return current.WithColumns(columns);
        }

        int capacity = rows == 0 ? columns : (int)Math.Max(columns, buffer.Length / rows);
        var layout = _grid.Layout(rows, capacity);
        HostBuffer? full = keep && buffer.Layout is not null ? Full(buffer) : keep ? buffer.Replicated : null;
        var local = HostBuffer.Allocate(layout.LocalCount);
        local.Clear();
        if (full is not null)
        {
            for (int jl = 0; jl < layout.LocalColumns; jl++)
            {
                long column = (long)layout.ColumnAxis.ToGlobal(jl) * rows;
                for (int il = 0; il < layout.LocalRows; il++)
                {
                    long index = column + layout.RowAxis.ToGlobal(il);
                    if (index < full.Length)
                    {
                        local[layout.LocalIndex(il, jl)] = full[index];
                    }
                }
            }
        }

        buffer.SetLocal(layout, local);
        return layout.WithColumns(columns);
    }

    /// <summary>The buffer replicated on every rank, gathered where it is block-cyclic (each rank's entries, summed over the ranks).</summary>
    protected HostBuffer Full(DistributedBuffer buffer)
    {
        if (buffer.Replicated is { } full)
        {
            return full;
        }

        var gathered = HostBuffer.Allocate(buffer.Length);
        gathered.Clear();
        if (buffer.Layout is { } layout)
        {
            GatherAll(buffer, layout, gathered);
        }

        buffer.SetReplicated(gathered);
        return gathered;
    }

    /// <summary>Columns [first, first + count) of a block-cyclic buffer on every rank, into <paramref name="target"/> (count·rows values).</summary>
    private void GatherColumns(DistributedBuffer buffer, BlockCyclicLayout layout, int first, int count, Span<double> target)
    {
        target.Clear();
        fixed (double* start = target)
        {
            FillOwn(buffer, layout, first, count, start);
        }

        _session.SumInPlace(target);
    }

    /// <summary>Every column of a block-cyclic buffer on every rank, into the zeroed <paramref name="target"/>, summed in pieces of 2²⁷ values.</summary>
    private void GatherAll(DistributedBuffer buffer, BlockCyclicLayout layout, HostBuffer target)
    {
        FillOwn(buffer, layout, 0, layout.Columns, target.Pointer);
        long total = ColumnMajor.Count(layout.Rows, layout.Columns);
        foreach (var (offset, length) in CopyPieces.Of(total))
        {
            _session.SumInPlace(target.Slice(offset, length));
        }
    }

    /// <summary>This rank's entries of columns [first, first + count) at their column-major places in <paramref name="target"/> (zeros elsewhere).</summary>
    private static void FillOwn(DistributedBuffer buffer, BlockCyclicLayout layout, int first, int count, double* target)
    {
        for (int jl = 0; jl < layout.LocalColumns; jl++)
        {
            int j = layout.ColumnAxis.ToGlobal(jl);
            if (j < first || j >= first + count)
            {
                continue;
            }

            long column = (long)(j - first) * layout.Rows;
            for (int il = 0; il < layout.LocalRows; il++)
            {
                target[column + layout.RowAxis.ToGlobal(il)] = buffer.Local![layout.LocalIndex(il, jl)];
            }
        }
    }

    /// <summary>
    /// Refuses inputs that differ between ranks (every rank must read the same): a 64-bit FNV-1a hash
    /// of the values' bits, compared by its smallest and largest over the ranks.
    /// </summary>
    private void CheckSameOnEveryRank(ReadOnlySpan<double> values, string what) => _session.CheckSame(values, what);

    private static void CheckArgument(string routine, int info)
    {
        if (info < 0)
        {
            throw new InvalidOperationException($"ScaLAPACK's {routine} refused its argument {-info}");
        }
    }

    protected static DistributedBuffer Distributed(ProviderBuffer buffer) =>
        buffer as DistributedBuffer ?? throw new ArgumentException($"a {buffer?.GetType().Name ?? "null"} is not a distributed provider's buffer", nameof(buffer));
}
