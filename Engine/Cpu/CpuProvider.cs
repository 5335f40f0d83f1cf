using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Spatial;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;
using GpuNngp.Solvers.Host;

namespace GpuNngp.Engine.Cpu;

/// <summary>
/// The CPU provider: native host buffers, BLAS/LAPACK through an <see cref="IHostLinearAlgebra"/>
/// (OpenBLAS, or the managed fallback), the vectorised fused map of <see cref="HostKernelMap"/>
/// parallel over columns. Every operation is synchronous.
/// </summary>
internal sealed class CpuProvider : IComputeProvider
{
    private readonly Func<long?> _availableMemory;

    public CpuProvider(IHostLinearAlgebra linearAlgebra, Func<long?>? availableMemory = null)
    {
        ArgumentNullException.ThrowIfNull(linearAlgebra);
        LinearAlgebra = linearAlgebra;
        _availableMemory = availableMemory ?? HostMemory.Available;
        Name = $"CPU ({Environment.ProcessorCount} threads, {linearAlgebra.Name})";
        Memory = ModelFor(linearAlgebra);
    }

    public IHostLinearAlgebra LinearAlgebra { get; }

    public string Name { get; }

    public bool IsGpu => false;

    public bool RunsCustomActivations => true;

    public MemoryModel Memory { get; }

    /// <summary>
    /// Host memory: X twice (the caller's managed matrix and the native copy BLAS reads), Y, α and a
    /// staging copy, four per-point vectors, one fixed 256 MiB test tile, and the managed provider's
    /// working copy of K_DD where it makes one.
    /// </summary>
    public static MemoryModel ModelFor(IHostLinearAlgebra linearAlgebra)
    {
        ArgumentNullException.ThrowIfNull(linearAlgebra);
        return new MemoryModel(
            Holder: "the host",
            Availability: "available (MemAvailable)",
            Reserve: 256L << 20,
            InputCopies: 2,
            OutputCopies: 3,
            DiagonalCopies: 4,
            WorkingCopies: linearAlgebra.WorkingCopies,
            MaxMatrixElements: linearAlgebra.MaxMatrixElements,
            ProviderName: linearAlgebra.Name,
            LargeSizeRemedy: ManagedLinearAlgebra.LargeSizeFix,
            FixedTileBytes: MemoryPlan.HostTileBytes,
            KernelLeavesDevice: false,
            OtherDeviceRemedy: "");
    }

    public long? AvailableBytes() => _availableMemory();

    public ProviderBuffer Allocate(long length, string what) => new CpuBuffer(HostBuffer.Allocate(length));

    public ProviderBuffer Upload(ReadOnlySpan<double> values, string what) => new CpuBuffer(HostBuffer.CopyOf(values));

    public void CopyIn(ProviderBuffer target, ReadOnlySpan<double> values) => values.CopyTo(Host(target).Slice(0, values.Length));

    public void CopyOut(ProviderBuffer source, long offset, Span<double> target) => Host(source).Slice(offset, target.Length).CopyTo(target);

    public void Copy(ProviderBuffer source, long sourceOffset, ProviderBuffer target, long targetOffset, long count) =>
        Host(source).CopyTo(sourceOffset, Host(target), targetOffset, count);

    public void CopyLowerTriangle(ProviderBuffer source, ProviderBuffer target, int n)
    {
        HostBuffer from = Host(source), to = Host(target);
        Parallel.For(0, n, column =>
        {
            long first = ColumnMajor.Index(column, column, n);
            from.Slice(first, n - column).CopyTo(to.Slice(first, n - column));
        });
    }

    public HostMatrix ToHost(ProviderBuffer matrix, int rows, int columns) => HostMatrix.Wrap(rows, columns, Cpu(matrix).Detach());

    public void SymmetricRankK(int n, int k, double alpha, ProviderBuffer a, ProviderBuffer c, CancellationToken cancellationToken = default) =>
        LinearAlgebra.SymmetricRankK(n, k, alpha, Host(a), Host(c), cancellationToken);

    public void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double alpha, ProviderBuffer a, ProviderBuffer b, double beta, ProviderBuffer c, CancellationToken cancellationToken = default) =>
        LinearAlgebra.Multiply(transposeA, transposeB, m, n, k, alpha, Host(a), Host(b), beta, Host(c), cancellationToken);

    public IPreparedMap PrepareMap(HostNetworkView network, KernelLookupTable? tables) => new CpuPreparedMap(network, tables);

    public ISpatialKernel PrepareSpatial(SliceProgram program, bool ntk, KernelPrecision precision = KernelPrecision.Double) => new HostSpatialKernel(program, ntk, precision);

    public void MapLowerTriangle(IPreparedMap map, ProviderBuffer matrix, int n, double[] layerVariances, KernelKind kind, ProgressCounter progress)
    {
        var prepared = Prepared(map);
        HostKernelMap.MapLowerTriangle(prepared.Network, Host(matrix), n, layerVariances, kind, progress, prepared.Tables);
    }

    public void MapRectangle(
        IPreparedMap map, ProviderBuffer matrix, int rows, int columns, double[] rowVariances, double[] columnVariances, KernelKind kind, ProgressCounter progress)
    {
        var prepared = Prepared(map);
        HostKernelMap.MapRectangle(prepared.Network, Host(matrix), rows, columns, rowVariances, columnVariances, kind, progress, prepared.Tables);
    }

    public void SetDiagonal(ProviderBuffer matrix, int n, double[] values, double noise, double jitter)
    {
        HostBuffer k = Host(matrix);
        for (int i = 0; i < n; i++)
        {
            k[ColumnMajor.Index(i, i, n)] = values[i] + noise + jitter;
        }
    }

    public double[] Diagonal(ProviderBuffer matrix, int n)
    {
        HostBuffer k = Host(matrix);
        var diagonal = new double[n];
        for (int i = 0; i < n; i++)
        {
            diagonal[i] = k[ColumnMajor.Index(i, i, n)];
        }

        return diagonal;
    }

    public void MirrorLowerToUpper(ProviderBuffer matrix, int n) => SymmetricTriangles.MirrorLowerToUpper(Host(matrix), n);

    public void RestoreLowerFromUpper(ProviderBuffer matrix, int n) => SymmetricTriangles.RestoreLowerFromUpper(Host(matrix), n);

    public long FirstNonFiniteLowerTriangle(ProviderBuffer matrix, int n)
    {
        HostBuffer k = Host(matrix);
        return NonFiniteScan.First(n, column => k.Slice(ColumnMajor.Index(column, column, n), n - column), column => ColumnMajor.Index(column, column, n));
    }

    public int CholeskyFactor(ProviderBuffer matrix, int n, Action<double>? progress, CancellationToken cancellationToken) =>
        LinearAlgebra.CholeskyFactor(Host(matrix), n, progress, cancellationToken);

    public void CholeskySolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs) => LinearAlgebra.CholeskySolve(Host(factor), n, Host(b), nrhs);

    public void LowerTriangularSolve(ProviderBuffer factor, int n, ProviderBuffer b, int nrhs, CancellationToken cancellationToken = default) =>
        LinearAlgebra.LowerTriangularSolve(Host(factor), n, Host(b), nrhs, cancellationToken);

    /// <summary>LAPACK's dsyevd or MathNet's Evd; their failure to converge becomes the engine's numerical error.</summary>
    public void SymmetricEigen(ProviderBuffer matrix, int n, ProviderBuffer eigenvalues)
    {
        try
        {
            LinearAlgebra.SymmetricEigen(Host(matrix), n, Host(eigenvalues));
        }
        catch (ArithmeticException e) when (e.GetType() == typeof(ArithmeticException)) // not an overflow of a size
        {
            throw new NngpNumericalException(e.Message, e);
        }
    }

    public double[] ColumnSumsOfSquares(ProviderBuffer matrix, int rows, int columns)
    {
        HostBuffer m = Host(matrix);
        var sums = new double[columns];
        Parallel.For(0, columns, j =>
        {
            ReadOnlySpan<double> column = m.Slice(ColumnMajor.ColumnStart(j, rows), rows);
            double sum = 0;
            for (int i = 0; i < column.Length; i++)
            {
                sum += column[i] * column[i];
            }

            sums[j] = sum;
        });
        return sums;
    }

    public void Synchronize()
    {
    }

    public void Dispose()
    {
    }

    private static CpuBuffer Cpu(ProviderBuffer buffer) =>
        buffer as CpuBuffer ?? throw new ArgumentException($"a {buffer?.GetType().Name ?? "null"} is not a CPU provider's buffer", nameof(buffer));

    private static HostBuffer Host(ProviderBuffer buffer) => Cpu(buffer).Storage;

    private static CpuPreparedMap Prepared(IPreparedMap map) =>
        map as CpuPreparedMap ?? throw new ArgumentException("the map was prepared by another provider", nameof(map));
}
