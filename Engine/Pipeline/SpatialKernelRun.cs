using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Spatial;
using GpuNngp.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// The kernel of a convolutional plan through a provider's <see cref="ISpatialKernel"/>: the points'
/// own runs, the pairs in column blocks of bounded size (the N × N result never exists twice), each
/// block's readouts through the plan's flat tail (Dense, activations) on the host.
/// </summary>
internal sealed class SpatialKernelRun : IDisposable
{
    /// <summary>Readout values per block and matrix (64 MB): the working memory, whatever N.</summary>
    private const long BlockValues = 8L << 20;

    private readonly SliceProgram _program;
    private readonly ISpatialKernel _kernel;
    private readonly KernelKind _kind;
    private readonly QuadratureRule _quadrature;

    public SpatialKernelRun(IComputeProvider provider, SliceProgram program, KernelKind kind, int quadratureOrder, KernelPrecision precision = KernelPrecision.Double)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _program = program ?? throw new ArgumentNullException(nameof(program));
        _kind = kind;
        _quadrature = QuadratureRules.Get(quadratureOrder);
        _kernel = provider.PrepareSpatial(program, kind == KernelKind.Ntk, precision);
    }

    private bool Ntk => _kind == KernelKind.Ntk;

    /// <summary>The own runs of the rows of <paramref name="x"/> (one image per row, H·W·C features).</summary>
    public SpatialPoints Points(Matrix<double> x, string what)
    {
        ArgumentNullException.ThrowIfNull(x);
        _program.Input.CheckFeatures(x.ColumnCount, what);
        CheckChainMemory(x.RowCount, what);
        return _kernel.Points(x.ToRowMajorArray(), x.RowCount);
    }

    /// <summary>
    /// K(rows, columns), or K(rows, rows) with only its lower triangle computed when
    /// <paramref name="columns"/> is null, handed to <paramref name="sink"/> block by block: the
    /// first column, the block's record after the tail (rows × width; above the diagonal of a
    /// triangle its entries are meaningless). Checks the counter's token before each block.
    /// </summary>
    public void Blocks(SpatialPoints rows, SpatialPoints? columns, ProgressCounter progress, Action<int, KernelRecord> sink)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(sink);
        bool triangle = columns is null;
        SpatialPoints other = columns ?? rows;
        int n = rows.Count;
        int width = (int)Math.Clamp(BlockValues / Math.Max(n, 1), 1, Math.Max(other.Count, 1));
        for (int start = 0; start < other.Count; start += width)
        {
            progress.Cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(width, other.Count - start);
            var k = new double[(long)n * count];
            double[]? theta = Ntk ? new double[k.Length] : null;
            _kernel.Pairs(rows, other, start, count, triangle, k, theta, progress);
            var readout = KernelRecord.Rectangular(
                n,
                count,
                k,
                rows.ReadK,
                other.ReadK[start..(start + count)],
                theta,
                rows.ReadTheta,
                other.ReadTheta?[start..(start + count)],
                shape: null);
            sink(start, _program.Tail.Apply(readout, _quadrature));
        }
    }

    /// <summary>The points' prior diagonal after the tail: K(x, x), or Θ(x, x) for the NTK.</summary>
    public double[] Diagonal(SpatialPoints points) => Diagonal(points, _kind);

    /// <summary>The points' diagonal of <paramref name="kind"/> after the tail (Θ only from an NTK run, which carries K too).</summary>
    public double[] Diagonal(SpatialPoints points, KernelKind kind)
    {
        ArgumentNullException.ThrowIfNull(points);
        var one = KernelRecord.Rectangular(points.Count, 1, new double[points.Count], points.ReadK, [points.ReadK[0]], Ntk ? new double[points.Count] : null, points.ReadTheta, points.ReadTheta is { } t ? [t[0]] : null);
        KernelRecord record = _program.Tail.Apply(one, _quadrature);
        return (kind == KernelKind.Ntk ? record.RowNtkDiagonal : record.RowVariance).ToArray();
    }

    /// <summary>The block of the final matrix the kernel kind asks for.</summary>
    public ReadOnlyMemory<double> Values(KernelRecord block) => Values(block, _kind);

    /// <summary>The block of <paramref name="kind"/>'s matrix (Θ only from an NTK run).</summary>
    public static ReadOnlyMemory<double> Values(KernelRecord block, KernelKind kind)
    {
        ArgumentNullException.ThrowIfNull(block);
        return kind == KernelKind.Ntk ? block.Ntk : block.Nngp;
    }

    public void Dispose() => _kernel.Dispose();

    /// <summary>Every point keeps its pixel variances at each activation: refuse a set whose chains would not fit in memory.</summary>
    private void CheckChainMemory(int count, string what)
    {
        long bytes = (long)count * _program.ChainLength * sizeof(double);
        if (HostMemory.Available() is { } available && bytes > available / 2)
        {
            throw new NngpInputException(
                $"the {what}' pixel variances ({count} images × {_program.ChainLength} values) need {MemoryRefusal.Gigabytes(bytes)}, more than half the {MemoryRefusal.Gigabytes(available)} available; use fewer images");
        }
    }
}
