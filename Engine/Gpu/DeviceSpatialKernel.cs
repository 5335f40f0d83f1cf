using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Spatial;
using GpuNngp.Kernels.Device;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// The device provider's form of a <see cref="SliceProgram"/> (closed-form activations only: see
/// <see cref="Supports"/>): the program flattened once (<see cref="DeviceSliceProgram"/>) and
/// uploaded, then per tile of pairs one <see cref="SpatialSliceKernel{TScratch}"/> launch per segment
/// (a group per pair and slice; a point's own run launches its diagonal slice first, which writes
/// its pixel variances), the readout's per-slice sums added up per pair on the host.
/// </summary>
/// <remarks>
/// Tiles: a pair needs its two whole covariances at the widest barrier (K and Θ), a partial sum per
/// slice and, where the slots do not fit in shared memory, its groups' global scratch; a tile takes
/// as many pairs as fit in a quarter of the device's free memory (of <see cref="UnknownFreeBytes"/>
/// where the device does not say), at least one, so the N×N result is built tile by tile whatever N.
/// </remarks>
internal sealed class DeviceSpatialKernel : ISpatialKernel
{
    /// <summary>The free memory assumed where the accelerator does not report it (the simulator).</summary>
    public const long UnknownFreeBytes = 1L << 30;

    private readonly Accelerator _accelerator;
    private readonly AcceleratorStream _stream;
    private readonly GpuKernels _kernels;
    private readonly Func<long?> _freeBytes;
    private readonly DeviceSliceProgram _device;
    private readonly bool _ntk;
    private readonly int _channels;
    private readonly int _chainLength;
    private readonly int _perGroup;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _program;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _values;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _sources;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _slices;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _dummy;
    private readonly List<SegmentSlices> _segmentSlices = [];
    private readonly Dictionary<double[], MemoryBuffer1D<double, Stride1D.Dense>> _uploaded = new(ReferenceEqualityComparer.Instance);

    public DeviceSpatialKernel(Accelerator accelerator, AcceleratorStream stream, GpuKernels kernels, SliceProgram program, bool ntk, Func<long?> freeBytes)
    {
        ArgumentNullException.ThrowIfNull(program);
        _accelerator = accelerator ?? throw new ArgumentNullException(nameof(accelerator));
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        _kernels = kernels ?? throw new ArgumentNullException(nameof(kernels));
        _freeBytes = freeBytes ?? throw new ArgumentNullException(nameof(freeBytes));
        _ntk = ntk;
        _channels = program.Input.Channels;
        _chainLength = program.ChainLength;
        _device = new DeviceSliceProgram(program);
        _perGroup = _device.Slots * (ntk ? 2 : 1) * _device.Pixels;
        UsesSharedMemory = _perGroup <= SharedSliceScratch.Doubles;
        GroupSize = (int)Math.Clamp(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_device.Pixels), 32, DeviceTiling.GroupSize);

        var slices = new List<int>();
        foreach (DeviceSegment segment in _device.Segments)
        {
            Range Add(ReadOnlySpan<int> offsets)
            {
                int start = slices.Count / 2;
                slices.AddRange(offsets);
                return new Range(start, slices.Count / 2);
            }

            // A point's own run: the diagonal slice (first in the list) alone, then the others.
            _segmentSlices.Add(new SegmentSlices(Add(segment.PairSlices), Add(segment.SelfSlices.AsSpan(0, 2)), Add(segment.SelfSlices.AsSpan(2))));
        }

        _accelerator.Bind();
        _program = Upload<int>(_device.Program, "the slice program");
        _values = Upload<double>(_device.Values, "the slice program's constants");
        _sources = Upload<int>(_device.BarrierSources, "the barriers' windows");
        _slices = Upload<int>([.. slices], "the slice offsets");
        _dummy = GpuHost.Allocate(_accelerator, 1, "a placeholder");
    }

    /// <summary>Whether a group's slots live in shared memory (where they fit; else in global scratch). The tests clear it to run the global variant on small grids.</summary>
    internal bool UsesSharedMemory { get; set; }

    /// <summary>
    /// Threads per (pair, slice) group: the power of two that covers the largest grid's positions,
    /// from a warp (32) to <see cref="DeviceTiling.GroupSize"/>, so a small slice does not leave most
    /// of a large group idle at every barrier.
    /// </summary>
    internal int GroupSize { get; }

    /// <summary>Pairs per tile where set (the tests force several tiles); otherwise from the free memory.</summary>
    internal int? TilePairs { get; set; }

    /// <summary>Whether the device runs <paramref name="program"/>: every activation has a closed form (quadrature and user delegates stay on the host).</summary>
    public static bool Supports(SliceProgram program) =>
        program?.Activations.All(a => a.Layer.Activation.HasClosedForm && a.Layer.CustomValue is null) ?? throw new ArgumentNullException(nameof(program));

    public SpatialPoints Points(double[] images, int count)
    {
        ArgumentNullException.ThrowIfNull(images);
        var readK = new double[count];
        double[]? readTheta = _ntk ? new double[count] : null;
        var chains = new double[(long)count * _chainLength];
        if (count == 0)
        {
            return new SpatialPoints(images, count, chains, readK, readTheta);
        }

        _accelerator.Bind();
        using var dImages = Upload<double>(images, "the images");
        using var dChains = GpuHost.Allocate(_accelerator, chains.LongLength, "the pixel variances");
        int[] points = [.. Enumerable.Range(0, count)];
        Run(points, points, dImages.View, dImages.View, dChains.View, dChains.View, self: true, readK, readTheta);
        GpuHost.Download(_stream, dChains.View, chains);
        return new SpatialPoints(images, count, chains, readK, readTheta);
    }

    public void Pairs(SpatialPoints rows, SpatialPoints columns, int columnStart, int columnCount, bool lowerTriangle, double[] k, double[]? theta, ProgressCounter progress)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(k);
        ArgumentNullException.ThrowIfNull(progress);
        int n = rows.Count;
        var pairRows = new List<int>();
        var pairColumns = new List<int>();
        for (int c = 0; c < columnCount; c++)
        {
            for (int r = lowerTriangle ? columnStart + c : 0; r < n; r++)
            {
                pairRows.Add(r);
                pairColumns.Add(columnStart + c);
            }
        }

        if (pairRows.Count == 0)
        {
            return;
        }

        _accelerator.Bind();
        Retain(rows.Images, columns.Images, rows.Chains, columns.Chains);
        var readK = new double[pairRows.Count];
        var readTheta = _ntk ? new double[pairRows.Count] : null;
        Run(
            [.. pairRows], [.. pairColumns], Cached(rows.Images, "the row images"), Cached(columns.Images, "the column images"),
            Cached(rows.Chains, "the row pixel variances"), Cached(columns.Chains, "the column pixel variances"), self: false, readK, readTheta, progress);
        for (int p = 0; p < pairRows.Count; p++)
        {
            long at = ((long)(pairColumns[p] - columnStart) * n) + pairRows[p];
            k[at] = readK[p];
            if (theta is not null && readTheta is not null)
            {
                theta[at] = readTheta[p];
            }
        }
    }

    public void Dispose()
    {
        if (_accelerator.IsDisposed)
        {
            return;
        }

        _accelerator.Bind();
        foreach (var buffer in _uploaded.Values)
        {
            buffer.Dispose();
        }

        _uploaded.Clear();
        _program.Dispose();
        _values.Dispose();
        _sources.Dispose();
        _slices.Dispose();
        _dummy.Dispose();
    }

    /// <summary>The most slices one launch computes for one pair.</summary>
    private int MaxSlices => _segmentSlices.Max(s => Math.Max(s.Pair.End.Value - s.Pair.Start.Value, (s.Diagonal.End.Value - s.Diagonal.Start.Value) + (s.Others.End.Value - s.Others.Start.Value)));

    /// <summary>Device bytes one pair of a tile takes (see the remarks).</summary>
    private long BytesPerPair
    {
        get
        {
            long halves = _ntk ? 2 : 1;
            long full = (long)_device.FullPixels * _device.FullPixels;
            long values = (halves * ((2 * full) + MaxSlices)) + (UsesSharedMemory ? 0 : (long)MaxSlices * _perGroup);
            return (values * sizeof(double)) + (2 * sizeof(int));
        }
    }

    private int TileSize(int pairs)
    {
        if (TilePairs is { } forced)
        {
            return Math.Clamp(forced, 1, pairs);
        }

        long budget = (_freeBytes() ?? UnknownFreeBytes) / 4;
        long tile = Math.Min(budget / BytesPerPair, int.MaxValue / Math.Max(1, MaxSlices));
        return (int)Math.Clamp(tile, 1, pairs);
    }

    /// <summary>The program for the pairs (rows[p], columns[p]), tile by tile: each pair's flat readout.</summary>
    private void Run(
        int[] rows,
        int[] columns,
        ArrayView<double> rowImages,
        ArrayView<double> columnImages,
        ArrayView<double> rowChains,
        ArrayView<double> columnChains,
        bool self,
        double[] readK,
        double[]? readTheta,
        ProgressCounter? progress = null)
    {
        int tile = TileSize(rows.Length);
        int maxSlices = MaxSlices;
        long full = (long)tile * _device.FullPixels * _device.FullPixels;
        using var dRows = GpuHost.Allocate<int>(_accelerator, tile, "a tile's row points");
        using var dColumns = GpuHost.Allocate<int>(_accelerator, tile, "a tile's column points");
        using var fullK = GpuHost.Allocate(_accelerator, full, "a tile's covariances before a barrier");
        using var nextK = GpuHost.Allocate(_accelerator, full, "a tile's covariances after a barrier");
        using var fullTheta = _ntk ? GpuHost.Allocate(_accelerator, full, "a tile's NTK covariances before a barrier") : null;
        using var nextTheta = _ntk ? GpuHost.Allocate(_accelerator, full, "a tile's NTK covariances after a barrier") : null;
        using var partialK = GpuHost.Allocate(_accelerator, (long)tile * maxSlices, "a tile's readout sums");
        using var partialTheta = _ntk ? GpuHost.Allocate(_accelerator, (long)tile * maxSlices, "a tile's NTK readout sums") : null;
        using var scratch = UsesSharedMemory ? null : GpuHost.Allocate(_accelerator, (long)tile * maxSlices * _perGroup, "a tile's slice scratch");
        var partials = new double[(long)tile * maxSlices];
        var buffers = new TileBuffers(
            fullK.View, fullTheta?.View ?? _dummy.View, nextK.View, nextTheta?.View ?? _dummy.View, partialK.View, partialTheta?.View ?? _dummy.View, scratch?.View ?? _dummy.View);
        for (int start = 0; start < rows.Length; start += tile)
        {
            int count = Math.Min(tile, rows.Length - start);
            GpuHost.CopyIn(_stream, dRows.View, rows.AsSpan(start, count));
            GpuHost.CopyIn(_stream, dColumns.View, columns.AsSpan(start, count));
            var pairs = new PairViews(dRows.View, dColumns.View, count, rowImages, columnImages, rowChains, columnChains);
            int readSlices = 0;
            for (int s = 0; s < _device.Segments.Count; s++)
            {
                SliceSegmentArguments arguments = _device.Segments[s].Arguments;
                SegmentSlices slices = _segmentSlices[s];
                int first = self ? Launch(arguments, slices.Diagonal, pairs, writeChain: true, buffers, 0) : 0;
                readSlices = first + Launch(arguments, self ? slices.Others : slices.Pair, pairs, writeChain: false, buffers, (long)first * count);
                if (arguments.Readout == 0)
                {
                    buffers = buffers.Swapped();
                }
            }

            // Per pair: the diagonal launch's sum (a point's own run), then its slices' sums in order.
            bool split = self;
            Sum(buffers.PartialK, partials, count, readSlices, split, readK, start);
            if (readTheta is not null)
            {
                Sum(buffers.PartialTheta, partials, count, readSlices, split, readTheta, start);
            }

            progress?.Advance(count);
        }
    }

    /// <summary>Launches the segment on the tile's pairs for the slices in <paramref name="range"/>; the number of slices.</summary>
    private int Launch(SliceSegmentArguments arguments, Range range, PairViews pairs, bool writeChain, TileBuffers buffers, long partialOffset)
    {
        int sliceCount = range.End.Value - range.Start.Value;
        if (sliceCount == 0)
        {
            return 0;
        }

        ArrayView<int> slices = _slices.View.SubView(2L * range.Start.Value, 2L * sliceCount);
        ArrayView<double> partialK = buffers.PartialK.SubView(partialOffset, (long)pairs.Count * sliceCount);
        ArrayView<double> partialTheta = _ntk ? buffers.PartialTheta.SubView(partialOffset, (long)pairs.Count * sliceCount) : _dummy.View;
        if (UsesSharedMemory)
        {
            _kernels.Launch(_stream, Kernel(arguments, slices, sliceCount, pairs, writeChain, buffers, partialK, partialTheta, default(SharedSliceScratch)), GroupSize);
        }
        else
        {
            _kernels.Launch(_stream, Kernel(arguments, slices, sliceCount, pairs, writeChain, buffers, partialK, partialTheta, new GlobalSliceScratch(buffers.Scratch, _perGroup)), GroupSize);
        }

        return sliceCount;
    }

    private SpatialSliceKernel<TScratch> Kernel<TScratch>(
        SliceSegmentArguments arguments,
        ArrayView<int> slices,
        int sliceCount,
        PairViews pairs,
        bool writeChain,
        TileBuffers buffers,
        ArrayView<double> partialK,
        ArrayView<double> partialTheta,
        TScratch scratch)
        where TScratch : struct, ISliceScratch =>
        new(
            _program.View, _values.View, _sources.View, arguments, slices, sliceCount,
            pairs.Rows, pairs.Columns, pairs.Count, pairs.RowImages, pairs.ColumnImages, _channels, pairs.RowChains, pairs.ColumnChains, _chainLength, writeChain ? 1 : 0,
            buffers.FullK, buffers.FullTheta, buffers.NextK, buffers.NextTheta, partialK, partialTheta, scratch, _device.Pixels, _ntk ? 1 : 0);

    /// <summary>
    /// The readout of each of the tile's <paramref name="count"/> pairs: the sum of its slices'
    /// sums (with <paramref name="split"/>, the first launch's one slice per pair at [p], the others'
    /// after them at [count + p·(slices − 1) + s]), times the readout's mean.
    /// </summary>
    private void Sum(ArrayView<double> sums, double[] host, int count, int slices, bool split, double[] target, int start)
    {
        Span<double> values = host.AsSpan(0, count * slices);
        GpuHost.Download(_stream, sums, values);
        for (int p = 0; p < count; p++)
        {
            double sum = 0;
            if (split)
            {
                sum = values[p];
                for (int s = 0; s < slices - 1; s++)
                {
                    sum += values[count + (p * (slices - 1)) + s];
                }
            }
            else
            {
                for (int s = 0; s < slices; s++)
                {
                    sum += values[(p * slices) + s];
                }
            }

            target[start + p] = sum * _device.ReadoutScale;
        }
    }

    private MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(T[] values, string what)
        where T : unmanaged
    {
        var buffer = GpuHost.Allocate<T>(_accelerator, values.LongLength, what);
        GpuHost.CopyIn<T>(_stream, buffer.View, values);
        return buffer;
    }

    /// <summary>A host array of the points on the device, uploaded once while its sets are in use (the column blocks of one matrix share them).</summary>
    private ArrayView<double> Cached(double[] values, string what)
    {
        if (!_uploaded.TryGetValue(values, out var buffer))
        {
            buffer = Upload(values, what);
            _uploaded.Add(values, buffer);
        }

        return buffer.View;
    }

    /// <summary>Frees the uploaded point arrays other than <paramref name="keep"/>.</summary>
    private void Retain(params double[][] keep)
    {
        foreach (double[] values in _uploaded.Keys.Where(v => !keep.Contains(v, ReferenceEqualityComparer.Instance)).ToList())
        {
            _uploaded[values].Dispose();
            _uploaded.Remove(values);
        }
    }

    /// <summary>A segment's input slices in the offset buffer: a pair's; a point's own diagonal slice and its others.</summary>
    private sealed record SegmentSlices(Range Pair, Range Diagonal, Range Others);

    private readonly record struct PairViews(
        ArrayView<int> Rows, ArrayView<int> Columns, int Count, ArrayView<double> RowImages, ArrayView<double> ColumnImages, ArrayView<double> RowChains, ArrayView<double> ColumnChains);

    /// <summary>A tile's working buffers; the whole covariances swap at each barrier.</summary>
    private readonly record struct TileBuffers(
        ArrayView<double> FullK, ArrayView<double> FullTheta, ArrayView<double> NextK, ArrayView<double> NextTheta, ArrayView<double> PartialK, ArrayView<double> PartialTheta, ArrayView<double> Scratch)
    {
        public TileBuffers Swapped() => this with { FullK = NextK, FullTheta = NextTheta, NextK = FullK, NextTheta = FullTheta };
    }
}
