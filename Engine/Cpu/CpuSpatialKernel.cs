using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Spatial;
using GpuNngp.Kernels.Simd;

namespace GpuNngp.Engine.Cpu;

/// <summary>
/// The CPU's form of a <see cref="SliceProgram"/>: groups of pairs (one per SIMD lane, the widest
/// bundle the hardware runs) spread over the cores, a <see cref="SliceWorker{T}"/> per thread.
/// </summary>
internal sealed class CpuSpatialKernel(SliceProgram program, bool ntk) : ISpatialKernel
{
    private readonly SliceProgram _program = program ?? throw new ArgumentNullException(nameof(program));

    public SpatialPoints Points(double[] images, int count)
    {
        ArgumentNullException.ThrowIfNull(images);
        var chains = new double[(long)count * _program.ChainLength];
        var readK = new double[count];
        double[]? readTheta = ntk ? new double[count] : null;
        int lanes = Lanes;
        int groups = (count + lanes - 1) / lanes;
        if (Vector512Pair.IsHardwareAccelerated)
        {
            RunGroups<Vector512Pair>(groups, (worker, g) => worker.Self(images, Group(g * lanes, Math.Min(lanes, count - (g * lanes))), chains, readK, readTheta));
        }
        else
        {
            RunGroups<Vector256Pair>(groups, (worker, g) => worker.Self(images, Group(g * lanes, Math.Min(lanes, count - (g * lanes))), chains, readK, readTheta));
        }

        return new SpatialPoints(images, count, chains, readK, readTheta);
    }

    public void Pairs(SpatialPoints rows, SpatialPoints columns, int columnStart, int columnCount, bool lowerTriangle, double[] k, double[]? theta, ProgressCounter progress)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(k);
        ArgumentNullException.ThrowIfNull(progress);
        int lanes = Lanes, n = rows.Count;

        // Groups of up to L consecutive rows of one column (from the diagonal down in a triangle).
        var groups = new List<(int Column, int Row)>();
        for (int c = 0; c < columnCount; c++)
        {
            for (int r = lowerTriangle ? columnStart + c : 0; r < n; r += lanes)
            {
                groups.Add((c, r));
            }
        }

        void Body<T>(SliceWorker<T> worker, int g)
            where T : struct, ISimdLanes<T>
        {
            (int column, int row) = groups[g];
            int count = Math.Min(lanes, n - row);
            Span<int> rowIndices = stackalloc int[count];
            Span<int> columnIndices = stackalloc int[count];
            for (int lane = 0; lane < count; lane++)
            {
                rowIndices[lane] = row + lane;
                columnIndices[lane] = columnStart + column;
            }

            Span<double> readK = stackalloc double[count];
            Span<double> readTheta = stackalloc double[count];
            worker.Pairs(rows.Images, rows.Chains, rowIndices, columns.Images, columns.Chains, columnIndices, readK, readTheta);
            long start = ((long)column * n) + row;
            readK.CopyTo(k.AsSpan().Slice((int)start, count));
            if (theta is not null)
            {
                readTheta.CopyTo(theta.AsSpan().Slice((int)start, count));
            }

            progress.Advance(count);
        }

        if (Vector512Pair.IsHardwareAccelerated)
        {
            RunGroups<Vector512Pair>(groups.Count, Body);
        }
        else
        {
            RunGroups<Vector256Pair>(groups.Count, Body);
        }
    }

    public void Dispose()
    {
    }

    private static int Lanes => Vector512Pair.IsHardwareAccelerated ? Vector512Pair.Count : Vector256Pair.Count;

    private static int[] Group(int first, int count) => [.. Enumerable.Range(first, count)];

    /// <summary>The groups shared out to one worker per core, each taking the next group when done (their buffers are reused, never more than one set per core).</summary>
    private void RunGroups<T>(int groups, Action<SliceWorker<T>, int> body)
        where T : struct, ISimdLanes<T>
    {
        int next = -1;
        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, groups));
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
        {
            var worker = new SliceWorker<T>(_program, ntk);
            for (int g = Interlocked.Increment(ref next); g < groups; g = Interlocked.Increment(ref next))
            {
                body(worker, g);
            }
        });
    }
}
