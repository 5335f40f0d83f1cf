using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using GpuNngp.Engine.Architecture;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Simd;

namespace GpuNngp.Engine.Spatial;

/// <summary>
/// Runs a <see cref="SliceProgram"/> on the CPU for T.Count pairs at once, one pair per SIMD lane:
/// every slice value is a bundle of lanes ([position·L + lane]), so the stencils, the activations
/// and the sums are vector operations and a slice of P positions stays in cache through all the
/// layers of its segment. One worker per thread; its buffers are reused from group to group.
/// The lanes hold <typeparamref name="TElement"/>: double, or float for the FP32 option (twice the
/// lanes per vector); the points' arrays (images, chains, roots) stay double and are rounded as
/// they are read, and the readout sums are accumulated in double either way.
/// </summary>
/// <remarks>
/// Every operation is lane-wise, so an entry does not depend on which pairs share its bundle. The
/// ReLU family runs through <see cref="SliceClosedForms"/> (a few ulps from the scalar form), the
/// other vector closed forms through <see cref="VectorClosedForms"/> (the scalar form's bits), and
/// activations without a vector form lane by lane through the scalar dual activation, as the plan's
/// reference does.
/// </remarks>
internal sealed class SliceWorker<T, TElement>
    where T : struct, ILanes<T, TElement>
    where TElement : unmanaged, IFloatingPointIeee754<TElement>
{
    private static readonly int L = T.Count;

    private readonly SliceProgram _program;
    private readonly bool _ntk;
    private readonly int _channels;
    private readonly int _features;
    private readonly int _sliceLength;
    private readonly TElement[] _rowImages;
    private readonly TElement[] _rowChains;
    private readonly TElement[] _rowRoots;
    private readonly TElement[] _rowInverseRoots;
    private readonly List<TElement[]> _free = [];
    private readonly bool[] _vectorActivation;
    private SpatialPoints? _gatheredPoints;
    private int[] _gatheredRows = [];
    private TElement[] _broadcastImages = [];
    private TElement[] _broadcastChains = [];
    private TElement[] _broadcastRoots = [];
    private TElement[] _broadcastInverseRoots = [];
    private TElement[] _columnImages = [];
    private TElement[] _columnChains = [];
    private TElement[] _columnRoots = [];
    private TElement[] _columnInverseRoots = [];
    private long _broadcastImage = -1;
    private long _broadcastChain = -1;
    private TElement[] _fullK = [];
    private TElement[] _fullTheta = [];
    private TElement[] _nextK = [];
    private TElement[] _nextTheta = [];

    public SliceWorker(SliceProgram program, bool ntk)
    {
        _program = program ?? throw new ArgumentNullException(nameof(program));
        _ntk = ntk;
        _channels = program.Input.Channels;
        _features = program.Input.Features;
        _sliceLength = program.MaxPixels * L;
        _rowImages = new TElement[_features * L];
        _rowChains = new TElement[program.ChainLength * L];
        _rowRoots = new TElement[program.ChainLength * L];
        _rowInverseRoots = new TElement[program.ChainLength * L];
        _vectorActivation = [.. program.Activations.Select(a => VectorClosedForms.Supports(a.View.Layers) && a.Layer.CustomValue is null)];
    }

    /// <summary>
    /// Points' own runs: for each of up to L <paramref name="points"/> (indices into the point-major
    /// <paramref name="images"/>) its chain (into <paramref name="chains"/>, point-major) with its
    /// roots (into <paramref name="roots"/>, the same layout) and its flat readout K(x, x), Θ(x, x).
    /// </summary>
    public void Self(double[] images, ReadOnlySpan<int> points, double[] chains, PixelRoots roots, double[] readK, double[]? readTheta)
    {
        _gatheredPoints = null;
        Gather(images, _features, points, _rowImages);
        Array.Clear(_rowChains);
        Span<double> k = stackalloc double[L], theta = stackalloc double[L];
        Run(self: true, k, theta);
        int chain = _program.ChainLength;
        for (int lane = 0; lane < points.Length; lane++)
        {
            int p = points[lane];
            for (int e = 0; e < chain; e++)
            {
                long at = ((long)p * chain) + e;
                chains[at] = double.CreateTruncating(_rowChains[(e * L) + lane]);
                roots.Roots[at] = double.CreateTruncating(_rowRoots[(e * L) + lane]);
                roots.InverseRoots[at] = double.CreateTruncating(_rowInverseRoots[(e * L) + lane]);
            }

            readK[p] = k[lane];
            if (readTheta is not null)
            {
                readTheta[p] = theta[lane];
            }
        }
    }

    /// <summary>
    /// The pairs of up to L <paramref name="rows"/> of <paramref name="rowPoints"/> (one per lane,
    /// gathered once) with each of <paramref name="columns"/> of <paramref name="columnPoints"/> in
    /// turn (the column point the same in every lane: its image, chain and roots are read as
    /// broadcasts): the flat readouts into <paramref name="readK"/> (and <paramref name="readTheta"/>)
    /// at [column index in the list · L + lane].
    /// </summary>
    public void Pairs(
        SpatialPoints rowPoints, PixelRoots rowRoots, ReadOnlySpan<int> rows, SpatialPoints columnPoints, PixelRoots columnRoots, ReadOnlySpan<int> columns, Span<double> readK, Span<double> readTheta)
    {
        int chain = _program.ChainLength;

        // A worker's next work item is most often the same rows against the next columns.
        if (!ReferenceEquals(rowPoints, _gatheredPoints) || !rows.SequenceEqual(_gatheredRows))
        {
            Gather(rowPoints.Images, _features, rows, _rowImages);
            Gather(rowPoints.Chains, chain, rows, _rowChains);
            Gather(rowRoots.Roots, chain, rows, _rowRoots);
            Gather(rowRoots.InverseRoots, chain, rows, _rowInverseRoots);
            _gatheredPoints = rowPoints;
            _gatheredRows = rows.ToArray();
        }

        for (int c = 0; c < columns.Length; c++)
        {
            BroadcastColumn(columnPoints, columnRoots, columns[c]);
            Run(self: false, readK.Slice(c * L, L), _ntk ? readTheta.Slice(c * L, L) : []);
        }

        _broadcastImage = _broadcastChain = -1;
    }

    /// <summary>
    /// Points the broadcasts at <paramref name="column"/>'s image, chain and roots: the point sets'
    /// own arrays for doubles; for floats its values rounded into the worker's buffers once per
    /// column (a few ten thousand conversions against millions of lane operations per pair bundle),
    /// so that every broadcast in the loops is one load.
    /// </summary>
    private void BroadcastColumn(SpatialPoints points, PixelRoots roots, int column)
    {
        int chain = _program.ChainLength;
        if (typeof(TElement) == typeof(double))
        {
            _broadcastImages = (TElement[])(object)points.Images;
            _broadcastChains = (TElement[])(object)points.Chains;
            _broadcastRoots = (TElement[])(object)roots.Roots;
            _broadcastInverseRoots = (TElement[])(object)roots.InverseRoots;
            _broadcastImage = (long)column * _features;
            _broadcastChain = (long)column * chain;
            return;
        }

        _broadcastImages = Rounded(points.Images, (long)column * _features, _features, ref _columnImages);
        _broadcastChains = Rounded(points.Chains, (long)column * chain, chain, ref _columnChains);
        _broadcastRoots = Rounded(roots.Roots, (long)column * chain, chain, ref _columnRoots);
        _broadcastInverseRoots = Rounded(roots.InverseRoots, (long)column * chain, chain, ref _columnInverseRoots);
        _broadcastImage = _broadcastChain = 0;
    }

    /// <summary>
    /// <paramref name="length"/> values of <paramref name="source"/> from <paramref name="start"/>
    /// rounded into <paramref name="buffer"/>: to float eight at a time (vcvtpd2ps, the same rounding
    /// as the scalar cast; element by element it took 4.1 % of an FP32 nt-flatten run's samples, so
    /// 1.6 %: perf record, 2026-12-02).
    /// </summary>
    private static TElement[] Rounded(double[] source, long start, int length, ref TElement[] buffer)
    {
        Reserve(ref buffer, length);
        ReadOnlySpan<double> from = source.AsSpan(checked((int)start), length);
        int e = 0;
        if (typeof(TElement) == typeof(float) && Vector256.IsHardwareAccelerated)
        {
            Span<float> to = MemoryMarshal.Cast<TElement, float>(buffer.AsSpan(0, length));
            for (; e + 8 <= length; e += 8)
            {
                Vector256.Narrow(Vector256.Create(from.Slice(e, 4)), Vector256.Create(from.Slice(e + 4, 4))).CopyTo(to.Slice(e, 8));
            }
        }

        for (; e < length; e++)
        {
            buffer[e] = TElement.CreateTruncating(from[e]);
        }

        return buffer;
    }

    /// <summary>Interleaves the points' vectors of <paramref name="length"/> values into lanes; missing lanes repeat the last point.</summary>
    private static void Gather(double[] source, int length, ReadOnlySpan<int> points, TElement[] target)
    {
        for (int lane = 0; lane < L; lane++)
        {
            long start = (long)points[Math.Min(lane, points.Length - 1)] * length;
            for (int e = 0; e < length; e++)
            {
                target[(e * L) + lane] = TElement.CreateTruncating(source[start + e]);
            }
        }
    }

    /// <summary>One slice of a lane group: values [position·L + lane] on <see cref="Grid"/>, pairing position i with i + (Rows, Columns).</summary>
    private readonly record struct Slice(TElement[] K, TElement[]? Theta, SpatialShape Grid, int Rows, int Columns);

    /// <summary>
    /// The program on the current lane inputs: the flat readout of every lane into
    /// <paramref name="readK"/> (and <paramref name="readTheta"/> for the NTK), L values each,
    /// accumulated in double whatever the lanes' element type.
    /// </summary>
    private void Run(bool self, Span<double> readK, Span<double> readTheta)
    {
        readK.Clear();
        readTheta.Clear();
        for (int s = 0; s < _program.Segments.Length; s++)
        {
            SliceSegment segment = _program.Segments[s];
            bool last = s == _program.Segments.Length - 1;
            int outPixels = segment.Output.Pixels;
            if (!last)
            {
                Reserve(ref _nextK, (long)outPixels * outPixels * L);
                if (_ntk)
                {
                    Reserve(ref _nextTheta, (long)outPixels * outPixels * L);
                }
            }

            // A point with itself: slice −d is slice d transposed (K_ij(x, x) = K_ji(x, x), and every
            // step is symmetric in i and j), so a global pooling counts each d after (0, 0) in row-major
            // order twice and the slices before it not at all: half the own run's work.
            SliceOffsets offsets = self ? segment.SelfSlices : segment.PairSlices;
            bool mirrored = self && last && _program.Readout == SliceReadout.GlobalAvgPool && offsets.IsSymmetric;
            foreach ((int dr, int dc) in offsets.Slices())
            {
                int inRows = dr * segment.StrideRows, inColumns = dc * segment.StrideColumns;
                if (!Holds(segment.Input, inRows, inColumns) || (mirrored && (dr < 0 || (dr == 0 && dc < 0))))
                {
                    continue;
                }

                Slice slice = segment.Source is { } barrier
                    ? FromBarrier(barrier, segment.Input, inRows, inColumns)
                    : FromImages(segment.Input, inRows, inColumns);
                slice = Steps(segment.Steps, slice, self);
                if (last)
                {
                    if (_program.Readout == SliceReadout.GlobalAvgPool || (dr == 0 && dc == 0))
                    {
                        double weight = mirrored && (dr != 0 || dc != 0) ? 2 : 1;
                        Sum(slice.K, slice, readK, weight);
                        if (slice.Theta is not null)
                        {
                            Sum(slice.Theta, slice, readTheta, weight);
                        }
                    }
                }
                else
                {
                    Scatter(slice.K, slice, _nextK);
                    if (slice.Theta is not null)
                    {
                        Scatter(slice.Theta, slice, _nextTheta);
                    }
                }

                Release(slice);
            }

            if (!last)
            {
                (_fullK, _nextK) = (_nextK, _fullK);
                (_fullTheta, _nextTheta) = (_nextTheta, _fullTheta);
            }
        }

        int readPixels = _program.ReadoutGrid.Pixels;
        double scale = _program.Readout == SliceReadout.Flatten ? 1.0 / readPixels : 1.0 / ((double)readPixels * readPixels);
        for (int lane = 0; lane < L; lane++)
        {
            readK[lane] *= scale;
            if (!readTheta.IsEmpty)
            {
                readTheta[lane] *= scale;
            }
        }
    }

    /// <summary>True when some position of the grid has its partner at the offsets inside the grid.</summary>
    private static bool Holds(SpatialShape grid, int rows, int columns) => Math.Abs(rows) < grid.Height && Math.Abs(columns) < grid.Width;

    private Slice Steps(IReadOnlyList<SliceStep> steps, Slice slice, bool self)
    {
        for (int s = 0; s < steps.Count; s++)
        {
            // A ReLU-family activation before a convolution runs row by row inside the convolution's
            // first pass, so that each activated row is summed while it is still in L1.
            if (steps[s] is SliceActivation fused && IsRelu(fused) && s + 1 < steps.Count && steps[s + 1] is SliceConv next)
            {
                slice = Convolve(next, slice, fused, self);
                s++;
                continue;
            }

            slice = steps[s] switch
            {
                SliceConv conv => Convolve(conv, slice, activation: null, self),
                SliceActivation activation => Activate(activation, slice, self),
                SliceResidual residual => Residual(residual, slice, self),
                _ => throw new InvalidOperationException($"no slice form for {steps[s]}"),
            };
        }

        return slice;
    }

    private bool IsRelu(SliceActivation activation) => _vectorActivation[activation.Index] && activation.Layer.Activation.Kind == ActivationKind.AbRelu;

    /// <summary>K⁰ on one slice: Σ_c x_{i,c} x′_{i+d,c} / C per lane; Θ⁰ = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Slice FromImages(SpatialShape grid, int dr, int dc)
    {
        Slice slice = NewSlice(grid, dr, dc);
        T scale = T.Broadcast(1.0 / _channels);
        int w = grid.Width, c = _channels;
        for (int ih = SliceAxis.First(dr); ih < SliceAxis.End(grid.Height, dr); ih++)
        {
            for (int iw = SliceAxis.First(dc); iw < SliceAxis.End(w, dc); iw++)
            {
                int i = (ih * w) + iw, j = ((ih + dr) * w) + iw + dc;
                T sum = T.Broadcast(0);
                for (int channel = 0; channel < c; channel++)
                {
                    T other = _broadcastImage >= 0
                        ? T.BroadcastAt(_broadcastImages, _broadcastImage + (j * c) + channel)
                        : T.Load(_rowImages, (long)((j * c) + channel) * L);
                    sum += T.Load(_rowImages, (long)((i * c) + channel) * L) * other;
                }

                (sum * scale).Store(slice.K, (long)i * L);
                slice.Theta?.AsSpan(i * L, L).Clear();
            }
        }

        return slice;
    }

    /// <summary>A barrier's output slice from the whole covariance of the segment before (<see cref="_fullK"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Slice FromBarrier(SliceBarrier barrier, SpatialShape grid, int dr, int dc)
    {
        SpatialWindow window = barrier.Window;
        Slice slice = NewSlice(grid, dr, dc);
        int inPixels = window.Input.Pixels, offsets = window.Offsets, w = grid.Width;
        T scale = T.Broadcast(barrier.TapScale);
        for (int oh = SliceAxis.First(dr); oh < SliceAxis.End(grid.Height, dr); oh++)
        {
            for (int ow = SliceAxis.First(dc); ow < SliceAxis.End(w, dc); ow++)
            {
                int o = (oh * w) + ow, partner = ((oh + dr) * w) + ow + dc;
                T sumK = T.Broadcast(0), sumTheta = T.Broadcast(0);
                for (int alpha = 0; alpha < offsets; alpha++)
                {
                    int a = window.Source(o, alpha);
                    if (a < 0)
                    {
                        continue;
                    }

                    for (int beta = barrier.SharedOffset ? alpha : 0; beta < (barrier.SharedOffset ? alpha + 1 : offsets); beta++)
                    {
                        int b = window.Source(partner, beta);
                        if (b >= 0)
                        {
                            long at = (((long)a * inPixels) + b) * L;
                            sumK += T.Load(_fullK, at);
                            if (_ntk)
                            {
                                sumTheta += T.Load(_fullTheta, at);
                            }
                        }
                    }
                }

                T k = sumK * scale;
                if (barrier.Weights is { } weights)
                {
                    k = T.Broadcast(weights.BiasVariance) + (T.Broadcast(weights.WeightVariance) * k);
                }

                k.Store(slice.K, (long)o * L);
                if (slice.Theta is not null)
                {
                    T theta = sumTheta * scale;
                    if (barrier.Weights is { } v)
                    {
                        theta = k + (T.Broadcast(v.WeightVariance) * theta);
                    }

                    theta.Store(slice.Theta, (long)o * L);
                }
            }
        }

        return slice;
    }

    /// <summary>
    /// A zero-padded convolution on one slice, separably: the filter's columns (K and Θ̃ in one pass),
    /// then its rows, K′ = σb² + σw²·W(K̃) and Θ′ = K′ + σw²·W(Θ̃) at each output position; with
    /// <paramref name="activation"/> (the ReLU family) applied to each input row just before its
    /// column sums. Each output row's row pass runs as soon as the column sums of its window's last
    /// input row are made, while those few rows are still in L1 (the same sums in the same order as
    /// two whole passes, so the same bits: measured faster, docs/benchmarks.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Slice Convolve(SliceConv conv, Slice input, SliceActivation? activation, bool self)
    {
        int chain = activation is null ? 0 : RecordChain(activation, input, self);
        int outRows = input.Rows / conv.Rows.Stride, outColumns = input.Columns / conv.Columns.Stride;
        Slice output = NewSlice(conv.Output, outRows, outColumns);
        TElement[] rowsK = Rent();
        TElement[]? rowsTheta = input.Theta is null ? null : Rent();
        WindowAxis hAxis = conv.Rows, wAxis = conv.Columns;
        int inW = input.Grid.Width, outW = output.Grid.Width;
        int firstOut = SliceAxis.First(output.Columns), endOut = SliceAxis.End(outW, output.Columns);
        int firstW = SliceAxis.First(input.Columns), endW = SliceAxis.End(inW, input.Columns);
        int firstH = SliceAxis.First(input.Rows), endH = SliceAxis.End(input.Grid.Height, input.Rows);
        int oh = SliceAxis.First(output.Rows), endOh = SliceAxis.End(output.Grid.Height, output.Rows);
        T bias = T.Broadcast(conv.Weights.BiasVariance), weight = T.Broadcast(conv.Weights.WeightVariance * conv.TapScale);
        for (int ih = firstH; ih < endH; ih++)
        {
            if (activation is not null)
            {
                ActivateRelu(activation.Layer.Activation, input, chain, (ih * inW) + firstW, ((ih + input.Rows) * inW) + firstW + input.Columns, endW - firstW);
            }

            // The filter's columns: the padded edges bounds-checked, the interior (every tap inside
            // the slice) as a run of unchecked loads.
            int ow = firstOut;
            for (; ow < endOut && (ow * wAxis.Stride) - wAxis.PadBefore < firstW; ow++)
            {
                ColumnEdge(input, rowsK, rowsTheta, wAxis, ih, ow, inW, outW, firstW, endW);
            }

            int limit = endW + wAxis.PadBefore - wAxis.Window;
            int interiorEnd = limit < ow * wAxis.Stride ? ow : Math.Min(endOut, (limit / wAxis.Stride) + 1);
            if (interiorEnd > ow)
            {
                int from = ((ih * inW) + (ow * wAxis.Stride) - wAxis.PadBefore) * L, to = ((ih * outW) + ow) * L;
                int lastTap = from + (((interiorEnd - ow - 1) * wAxis.Stride) + wAxis.Window) * L - 1, lastOut = to + ((interiorEnd - ow) * L) - 1;
                _ = input.K[lastTap];
                _ = rowsK[lastOut];
                if (rowsTheta is not null)
                {
                    _ = input.Theta![lastTap];
                    _ = rowsTheta[lastOut];
                }

                ColumnRun(ref Element(input.K, from), ref Element(rowsK, to), interiorEnd - ow, wAxis.Window, wAxis.Stride * L);
                if (rowsTheta is not null)
                {
                    ColumnRun(ref Element(input.Theta!, from), ref Element(rowsTheta, to), interiorEnd - ow, wAxis.Window, wAxis.Stride * L);
                }

                ow = interiorEnd;
            }

            for (; ow < endOut; ow++)
            {
                ColumnEdge(input, rowsK, rowsTheta, wAxis, ih, ow, inW, outW, firstW, endW);
            }

            for (; oh < endOh && Math.Min((oh * hAxis.Stride) - hAxis.PadBefore + hAxis.Window, endH) <= ih + 1; oh++)
            {
                RowPass(hAxis, output, rowsK, rowsTheta, oh, firstH, endH, firstOut, endOut, bias, weight);
            }
        }

        for (; oh < endOh; oh++)
        {
            RowPass(hAxis, output, rowsK, rowsTheta, oh, firstH, endH, firstOut, endOut, bias, weight);
        }

        _free.Add(rowsK);
        if (rowsTheta is not null)
        {
            _free.Add(rowsTheta);
        }

        Release(input);
        return output;
    }

    /// <summary>One output column of a row's column sums at a padded edge (some taps outside the slice).</summary>
    private static void ColumnEdge(Slice input, TElement[] rowsK, TElement[]? rowsTheta, WindowAxis wAxis, int ih, int ow, int inW, int outW, int firstW, int endW)
    {
        int start = (ow * wAxis.Stride) - wAxis.PadBefore;
        int lo = Math.Max(start, firstW), hi = Math.Min(start + wAxis.Window, endW);
        long from = (long)((ih * inW) + lo) * L, to = (long)((ih * outW) + ow) * L;
        Taps(input.K, from, hi - lo, L).Store(rowsK, to);
        if (rowsTheta is not null)
        {
            Taps(input.Theta!, from, hi - lo, L).Store(rowsTheta, to);
        }
    }

    /// <summary><paramref name="count"/> column sums of <paramref name="window"/> taps each, consecutive outputs <paramref name="stride"/> elements apart in the input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ColumnRun(ref TElement source, ref TElement target, int count, int window, int stride)
    {
        for (int o = 0; o < count; o++)
        {
            TapsAt(ref Unsafe.Add(ref source, o * stride), window, L).StoreAt(ref Unsafe.Add(ref target, o * L));
        }
    }

    /// <summary>
    /// Output row <paramref name="oh"/> of a convolution from the column sums of the input rows its
    /// filter covers (the same rows for every output column: one bounds check per row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowPass(WindowAxis hAxis, Slice output, TElement[] rowsK, TElement[]? rowsTheta, int oh, int firstH, int endH, int firstOut, int endOut, T bias, T weight)
    {
        int outW = output.Grid.Width;
        int start = (oh * hAxis.Stride) - hAxis.PadBefore;
        int lo = Math.Max(start, firstH), hi = Math.Min(start + hAxis.Window, endH);
        int count = endOut - firstOut, taps = hi - lo, step = outW * L;
        if (count <= 0)
        {
            return;
        }

        if (taps <= 0)
        {
            for (int ow = firstOut; ow < endOut; ow++)
            {
                bias.Store(output.K, (long)((oh * outW) + ow) * L);
                if (rowsTheta is not null)
                {
                    bias.Store(output.Theta!, (long)((oh * outW) + ow) * L);
                }
            }

            return;
        }

        int from = ((lo * outW) + firstOut) * L, at = ((oh * outW) + firstOut) * L;
        _ = rowsK[from + ((taps - 1) * step) + (count * L) - 1];
        _ = output.K[at + (count * L) - 1];
        ref TElement source = ref Element(rowsK, from), target = ref Element(output.K, at);
        if (rowsTheta is null)
        {
            for (int o = 0; o < count; o++)
            {
                T.MultiplyAdd(weight, TapsAt(ref Unsafe.Add(ref source, o * L), taps, step), bias).StoreAt(ref Unsafe.Add(ref target, o * L));
            }

            return;
        }

        _ = rowsTheta[from + ((taps - 1) * step) + (count * L) - 1];
        _ = output.Theta![at + (count * L) - 1];
        ref TElement sourceTheta = ref Element(rowsTheta, from), targetTheta = ref Element(output.Theta, at);
        for (int o = 0; o < count; o++)
        {
            T k = T.MultiplyAdd(weight, TapsAt(ref Unsafe.Add(ref source, o * L), taps, step), bias);
            k.StoreAt(ref Unsafe.Add(ref target, o * L));
            T.MultiplyAdd(weight, TapsAt(ref Unsafe.Add(ref sourceTheta, o * L), taps, step), k).StoreAt(ref Unsafe.Add(ref targetTheta, o * L));
        }
    }

    /// <summary>A reference to <paramref name="values"/>[<paramref name="index"/>], bounds-checked once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref TElement Element(TElement[] values, int index) => ref values[index];

    /// <summary>Σ of <paramref name="count"/> bundles from <paramref name="first"/>, <paramref name="step"/> elements apart, unchecked (the caller has proven the taps inside the array); the 3×3 filter's three taps unrolled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T TapsAt(ref TElement first, int count, int step)
    {
        if (count == 3)
        {
            return T.LoadAt(in first) + T.LoadAt(in Unsafe.Add(ref first, step)) + T.LoadAt(in Unsafe.Add(ref first, 2 * step));
        }

        T sum = T.Broadcast(0);
        for (int t = 0; t < count; t++)
        {
            sum += T.LoadAt(in Unsafe.Add(ref first, t * step));
        }

        return sum;
    }

    /// <summary>Σ of <paramref name="count"/> bundles from <paramref name="first"/>, <paramref name="step"/> apart: <see cref="TapsAt"/> once the last tap is proven inside <paramref name="values"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Taps(TElement[] values, long first, int count, long step)
    {
        if (count <= 0)
        {
            return T.Broadcast(0);
        }

        _ = values[first + ((count - 1) * step) + L - 1];
        return TapsAt(ref values[first], count, checked((int)step));
    }

    /// <summary>
    /// K̃ = F_φ(K_ij, K_ii(x), K_jj(x′)) and Θ̃ = Ḟ_φ·Θ on one slice. A point's own run on the diagonal
    /// slice first writes its pixel variances K_ii into its chain (they are the slice's values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Slice Activate(SliceActivation activation, Slice slice, bool self)
    {
        int chain = RecordChain(activation, slice, self);
        int w = slice.Grid.Width, dr = slice.Rows, dc = slice.Columns;
        bool vector = _vectorActivation[activation.Index];
        Activation phi = activation.Layer.Activation;
        if (IsRelu(activation))
        {
            for (int ih = SliceAxis.First(dr); ih < SliceAxis.End(slice.Grid.Height, dr); ih++)
            {
                int first = SliceAxis.First(dc), end = SliceAxis.End(w, dc);
                ActivateRelu(phi, slice, chain, (ih * w) + first, (((ih + dr) * w) + first + dc), end - first);
            }

            return slice;
        }

        for (int ih = SliceAxis.First(dr); ih < SliceAxis.End(slice.Grid.Height, dr); ih++)
        {
            for (int iw = SliceAxis.First(dc); iw < SliceAxis.End(w, dc); iw++)
            {
                int i = (ih * w) + iw, j = ((ih + dr) * w) + iw + dc;
                long at = (long)i * L, rowQ = (long)(chain + i) * L, columnQ = (long)(chain + j) * L;
                if (vector)
                {
                    T q2 = _broadcastChain >= 0 ? T.BroadcastAt(_broadcastChains, _broadcastChain + chain + j) : T.Load(_rowChains, columnQ);
                    (T f, T fDot) = VectorClosedForms.Evaluate(phi, T.Load(slice.K, at), T.Load(_rowChains, rowQ), q2);
                    f.Store(slice.K, at);
                    if (slice.Theta is not null)
                    {
                        (fDot * T.Load(slice.Theta, at)).Store(slice.Theta, at);
                    }

                    continue;
                }

                for (int lane = 0; lane < L; lane++)
                {
                    double q2 = double.CreateTruncating(_broadcastChain >= 0 ? _broadcastChains[_broadcastChain + chain + j] : _rowChains[columnQ + lane]);
                    DualMoments moments = DualActivation.Evaluate(
                        activation.View, phi, 0, double.CreateTruncating(slice.K[at + lane]), double.CreateTruncating(_rowChains[rowQ + lane]), q2, _ntk);
                    slice.K[at + lane] = TElement.CreateTruncating(moments.F);
                    if (slice.Theta is not null)
                    {
                        slice.Theta[at + lane] = TElement.CreateTruncating(double.CreateTruncating(slice.Theta[at + lane]) * moments.FDot);
                    }
                }
            }
        }

        return slice;
    }

    /// <summary>
    /// The activation's offset in the chains; a point's own run on the diagonal slice first writes
    /// its pixel variances K_ii there (they are the slice's values), and their roots.
    /// </summary>
    private int RecordChain(SliceActivation activation, Slice slice, bool self)
    {
        int chain = _program.ChainOffsets[activation.Index];
        if (self && slice.Rows == 0 && slice.Columns == 0)
        {
            int length = slice.Grid.Pixels * L;
            slice.K.AsSpan(0, length).CopyTo(_rowChains.AsSpan(chain * L));
            SliceClosedForms.Roots(_rowChains.AsSpan(chain * L, length), _rowRoots.AsSpan(chain * L), _rowInverseRoots.AsSpan(chain * L));
        }

        return chain;
    }

    /// <summary>
    /// The ReLU family on a run of <paramref name="count"/> consecutive positions from
    /// <paramref name="i"/> (partners from <paramref name="j"/>): a tight loop of independent entries,
    /// apart from the other activations' paths, whose long dependency chains (a root, two divisions)
    /// the core overlaps (measured 1.35× faster than the same entries in the general loop).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ActivateRelu(Activation phi, Slice slice, int chain, int i, int j, int count)
    {
        double a = phi.NegativeSlope, b = phi.PositiveSlope;
        TElement[] k = slice.K, rowRoots = _rowRoots, rowInverse = _rowInverseRoots;
        TElement[]? theta = slice.Theta;
        bool broadcast = _broadcastChain >= 0;
        for (int e = 0; e < count; e++)
        {
            long at = (long)(i + e) * L, rowQ = (long)(chain + i + e) * L;
            int partner = chain + j + e;
            T root2 = broadcast ? T.BroadcastAt(_broadcastRoots, _broadcastChain + partner) : T.Load(rowRoots, (long)partner * L);
            T inverse2 = broadcast ? T.BroadcastAt(_broadcastInverseRoots, _broadcastChain + partner) : T.Load(rowInverse, (long)partner * L);
            (T f, T fDot) = SliceClosedForms.AbRelu(a, b, T.Load(k, at), T.Load(rowRoots, rowQ) * root2, T.Load(rowInverse, rowQ) * inverse2);
            f.Store(k, at);
            if (theta is not null)
            {
                (fDot * T.Load(theta, at)).Store(theta, at);
            }
        }
    }

    /// <summary>Each branch from a copy of the slice (the last from the slice itself), the results summed.</summary>
    private Slice Residual(SliceResidual residual, Slice input, bool self)
    {
        Slice? sum = null;
        for (int b = 0; b < residual.Branches.Length; b++)
        {
            Slice start = b == residual.Branches.Length - 1 ? input : Copy(input);
            Slice result = Steps(residual.Branches[b], start, self);
            if (sum is not { } total)
            {
                sum = result;
                continue;
            }

            ForEach(total, at => (T.Load(total.K, at) + T.Load(result.K, at)).Store(total.K, at));
            if (total.Theta is { } theta && result.Theta is { } other)
            {
                ForEach(total, at => (T.Load(theta, at) + T.Load(other, at)).Store(theta, at));
            }

            Release(result);
        }

        return sum ?? input;
    }

    /// <summary>
    /// Adds Σ of a slice's held positions (times <paramref name="weight"/>) to <paramref name="total"/>, per lane: in the lanes' own
    /// type over the whole slice for doubles; for floats row by row, each row's sum added in double
    /// (a readout sums up to P² values: rounding in float at every add would grow with P).
    /// </summary>
    private static void Sum(TElement[] values, Slice slice, Span<double> total, double weight)
    {
        T sum = T.Broadcast(0);
        int w = slice.Grid.Width;
        for (int ih = SliceAxis.First(slice.Rows); ih < SliceAxis.End(slice.Grid.Height, slice.Rows); ih++)
        {
            for (int iw = SliceAxis.First(slice.Columns); iw < SliceAxis.End(w, slice.Columns); iw++)
            {
                sum += T.Load(values, (long)((ih * w) + iw) * L);
            }

            if (T.IsSingle)
            {
                AddLanes(sum, total, weight);
                sum = T.Broadcast(0);
            }
        }

        if (!T.IsSingle)
        {
            AddLanes(sum, total, weight);
        }
    }

    /// <summary>Adds <paramref name="weight"/> (1, or 2 for a mirrored pair of slices: exact) times each lane of <paramref name="sum"/> to <paramref name="total"/>.</summary>
    private static void AddLanes(T sum, Span<double> total, double weight)
    {
        for (int lane = 0; lane < L; lane++)
        {
            total[lane] += weight * sum.Lane(lane);
        }
    }

    /// <summary>Writes a slice into the whole covariance <paramref name="full"/>: entry (i, i + d) at (i·P + j)·L.</summary>
    private static void Scatter(TElement[] values, Slice slice, TElement[] full)
    {
        int w = slice.Grid.Width, pixels = slice.Grid.Pixels;
        for (int ih = SliceAxis.First(slice.Rows); ih < SliceAxis.End(slice.Grid.Height, slice.Rows); ih++)
        {
            for (int iw = SliceAxis.First(slice.Columns); iw < SliceAxis.End(w, slice.Columns); iw++)
            {
                int i = (ih * w) + iw, j = ((ih + slice.Rows) * w) + iw + slice.Columns;
                T.Load(values, (long)i * L).Store(full, (((long)i * pixels) + j) * L);
            }
        }
    }

    /// <summary>Calls <paramref name="body"/> with the array offset of every position the slice holds.</summary>
    private static void ForEach(Slice slice, Action<long> body)
    {
        int w = slice.Grid.Width;
        for (int ih = SliceAxis.First(slice.Rows); ih < SliceAxis.End(slice.Grid.Height, slice.Rows); ih++)
        {
            for (int iw = SliceAxis.First(slice.Columns); iw < SliceAxis.End(w, slice.Columns); iw++)
            {
                body((long)((ih * w) + iw) * L);
            }
        }
    }

    private Slice Copy(Slice slice)
    {
        Slice copy = NewSlice(slice.Grid, slice.Rows, slice.Columns);
        int length = slice.Grid.Pixels * L;
        slice.K.AsSpan(0, length).CopyTo(copy.K);
        slice.Theta?.AsSpan(0, length).CopyTo(copy.Theta);
        return copy;
    }

    private Slice NewSlice(SpatialShape grid, int rows, int columns) => new(Rent(), _ntk ? Rent() : null, grid, rows, columns);

    private TElement[] Rent()
    {
        if (_free.Count == 0)
        {
            return new TElement[_sliceLength];
        }

        TElement[] buffer = _free[^1];
        _free.RemoveAt(_free.Count - 1);
        return buffer;
    }

    private void Release(Slice slice)
    {
        _free.Add(slice.K);
        if (slice.Theta is not null)
        {
            _free.Add(slice.Theta);
        }
    }

    private static void Reserve(ref TElement[] buffer, long length)
    {
        if (buffer.LongLength < length)
        {
            buffer = new TElement[length];
        }
    }
}
