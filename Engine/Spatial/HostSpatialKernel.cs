using System.Numerics;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels.Simd;

namespace GpuNngp.Engine.Spatial;

/// <summary>
/// The host's form of a <see cref="SliceProgram"/> (the CPU provider's, and a device provider's for
/// what its kernels do not cover): groups of pairs (one per SIMD lane, the widest bundle the
/// hardware runs) spread over the cores, a <see cref="SliceWorker{T, TElement}"/> per thread. With
/// <see cref="KernelPrecision.Single"/> the pairs run in float lanes (twice as many per vector); the
/// points' own runs are FP64 whatever the precision (they are O(N), and their pixel variances and
/// roots feed every pair).
/// </summary>
internal sealed class HostSpatialKernel(SliceProgram program, bool ntk, KernelPrecision precision = KernelPrecision.Double) : ISpatialKernel
{
    private readonly SliceProgram _program = program ?? throw new ArgumentNullException(nameof(program));

    public SpatialPoints Points(double[] images, int count)
    {
        ArgumentNullException.ThrowIfNull(images);
        var chains = new double[(long)count * _program.ChainLength];
        var roots = new PixelRoots(new double[chains.Length], new double[chains.Length]);
        var readK = new double[count];
        double[]? readTheta = ntk ? new double[count] : null;
        int lanes = DoubleLanes;
        int groups = (count + lanes - 1) / lanes;
        if (Vector512Pair.IsHardwareAccelerated)
        {
            RunGroups<Vector512Pair, double>(groups, (worker, g) => worker.Self(images, Group(g * lanes, Math.Min(lanes, count - (g * lanes))), chains, roots, readK, readTheta));
        }
        else
        {
            RunGroups<Vector256Pair, double>(groups, (worker, g) => worker.Self(images, Group(g * lanes, Math.Min(lanes, count - (g * lanes))), chains, roots, readK, readTheta));
        }

        var points = new SpatialPoints(images, count, chains, readK, readTheta);
        _roots.Add(points, roots);
        return points;
    }

    public void Pairs(SpatialPoints rows, SpatialPoints columns, int columnStart, int columnCount, bool lowerTriangle, double[] k, double[]? theta, ProgressCounter progress)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(k);
        ArgumentNullException.ThrowIfNull(progress);
        bool single = precision == KernelPrecision.Single;
        int lanes = single ? SingleLanes : DoubleLanes, n = rows.Count;
        PixelRoots rowRoots = RootsOf(rows), columnRoots = RootsOf(columns);

        // Work items: L consecutive rows (gathered once into the lanes) against a run of columns
        // (broadcast one after another); in a triangle only the columns up to the group's last row.
        // The workers take items in turn, so a worker's next item has the same rows (and skips their
        // gather) when a row group has at least two items per worker: runs are shortened to that.
        int perItem = Math.Clamp(columnCount / (2 * Environment.ProcessorCount), 1, ColumnsPerItem);
        var items = new List<(int Row, int Column, int Count)>();
        for (int row = 0; row < n; row += lanes)
        {
            int end = lowerTriangle ? Math.Min(columnCount, row + lanes - columnStart) : columnCount;
            for (int c = 0; c < end; c += perItem)
            {
                items.Add((row, c, Math.Min(perItem, end - c)));
            }
        }

        void Body<T, TElement>(SliceWorker<T, TElement> worker, int item)
            where T : struct, ILanes<T, TElement>
            where TElement : unmanaged, IFloatingPointIeee754<TElement>
        {
            (int row, int first, int count) = items[item];
            int rowCount = Math.Min(lanes, n - row);
            Span<int> rowIndices = stackalloc int[rowCount];
            for (int lane = 0; lane < rowCount; lane++)
            {
                rowIndices[lane] = row + lane;
            }

            int[] columnIndices = [.. Enumerable.Range(columnStart + first, count)];
            var readK = new double[count * lanes];
            var readTheta = new double[count * lanes];
            worker.Pairs(rows, rowRoots, rowIndices, columns, columnRoots, columnIndices, readK, readTheta);
            long done = 0;
            for (int c = 0; c < count; c++)
            {
                int column = first + c;
                for (int lane = 0; lane < rowCount; lane++)
                {
                    if (lowerTriangle && row + lane < columnStart + column)
                    {
                        continue;
                    }

                    long at = ((long)column * n) + row + lane;
                    k[at] = readK[(c * lanes) + lane];
                    if (theta is not null)
                    {
                        theta[at] = readTheta[(c * lanes) + lane];
                    }

                    done++;
                }
            }

            progress.Advance(done);
        }

        if (single && Single512Pair.IsHardwareAccelerated)
        {
            RunGroups<Single512Pair, float>(items.Count, Body);
        }
        else if (single)
        {
            RunGroups<Single256Pair, float>(items.Count, Body);
        }
        else if (Vector512Pair.IsHardwareAccelerated)
        {
            RunGroups<Vector512Pair, double>(items.Count, Body);
        }
        else
        {
            RunGroups<Vector256Pair, double>(items.Count, Body);
        }
    }

    public void Dispose()
    {
    }

    /// <summary>Columns per work item: enough to amortise the rows' gather, few enough to share the work out evenly.</summary>
    /// <summary>The longest run of columns per work item.</summary>
    private const int ColumnsPerItem = 16;

    /// <summary>
    /// Each set of points' roots, kept while the set lives (a fit asks for the training set's again
    /// with every test tile): written by the own runs of <see cref="Points"/>, made from the chains
    /// for points another kernel made.
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SpatialPoints, PixelRoots> _roots = [];

    private PixelRoots RootsOf(SpatialPoints points) => _roots.GetValue(points, p => PixelRoots.Of(p.Chains));

    private static int DoubleLanes => Vector512Pair.IsHardwareAccelerated ? Vector512Pair.Count : Vector256Pair.Count;

    private static int SingleLanes => Single512Pair.IsHardwareAccelerated ? Single512Pair.Count : Single256Pair.Count;

    private static int[] Group(int first, int count) => [.. Enumerable.Range(first, count)];

    /// <summary>
    /// How many workers the memory allows: each holds, at a barrier, the whole covariance of its lanes
    /// before and after it (K and Θ: up to 4·P²·L elements for the largest grid a barrier reads); at
    /// most half the available memory goes to them. None affordable is a one-line refusal naming the layer.
    /// </summary>
    private int AffordableWorkers(int lanes, int elementBytes)
    {
        SliceBarrier? widest = _program.Segments.Select(s => s.Source).OfType<SliceBarrier>().MaxBy(b => b.Window.Input.Pixels);
        if (widest is null || HostMemory.Available() is not { } available)
        {
            return int.MaxValue;
        }

        long pixels = widest.Window.Input.Pixels;
        long perWorker = (ntk ? 4 : 2) * pixels * pixels * lanes * elementBytes;
        long affordable = available / 2 / perWorker;
        if (affordable < 1)
        {
            throw new NngpInputException(
                $"{widest.Description} reads the whole {widest.Window.Input} covariance of {lanes} pairs at once ({MemoryRefusal.Gigabytes(perWorker)}), more than half the {MemoryRefusal.Gigabytes(available)} available; pool or stride earlier, or use smaller images");
        }

        return (int)Math.Min(affordable, int.MaxValue);
    }

    /// <summary>The groups shared out to one worker per core, each taking the next group when done (their buffers are reused, never more than one set per core).</summary>
    private void RunGroups<T, TElement>(int groups, Action<SliceWorker<T, TElement>, int> body)
        where T : struct, ILanes<T, TElement>
        where TElement : unmanaged, IFloatingPointIeee754<TElement>
    {
        int next = -1;
        int workers = Math.Max(1, Math.Min(Math.Min(Environment.ProcessorCount, groups), AffordableWorkers(T.Count, System.Runtime.CompilerServices.Unsafe.SizeOf<TElement>())));
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
        {
            var worker = new SliceWorker<T, TElement>(_program, ntk);
            for (int g = Interlocked.Increment(ref next); g < groups; g = Interlocked.Increment(ref next))
            {
                body(worker, g);
            }
        });
    }
}
