using System.Collections.Immutable;
using GpuNngp.Engine.Architecture;
using GpuNngp.Kernels;

namespace GpuNngp.Engine.Spatial;

/// <summary>
/// A convolutional plan compiled for the fast kernel: segments of slice steps, the readout, and the
/// flat layers after it (<see cref="Tail"/>, run by the plan's own operations).
/// </summary>
/// <remarks>
/// A pair's covariance K_ij(x, x′) splits into offset slices d = j − i (per axis). A zero-padded
/// convolution reads K_{i+δ, j+δ}: the same slice (strided: slice stride·d), and an activation
/// reads entry (i, j) with the pixel variances K_ii(x), K_jj(x′): so a slice goes through every such
/// layer on its own, a grid of at most P values per pair that stays in cache through all the layers.
/// Pooling and circular convolutions mix slices: they are barriers between segments, where the
/// whole covariance is materialised. A Flatten readout needs the diagonal slice (0, 0) only — the
/// CNN-GP's P numbers per pair — and a global pooling every slice; a backward pass over the segments
/// finds which slices each one must compute. Pixel variances are each point's own run of the same
/// program (its pair (x, x)), kept per activation as the point's chain.
/// </remarks>
internal sealed class SliceProgram
{
    private SliceProgram(ImageShape input, ImmutableArray<SliceSegment> segments, SliceReadout readout, LayerPlan tail, ImmutableArray<SliceActivation> activations)
    {
        Input = input;
        Segments = segments;
        Readout = readout;
        Tail = tail;
        Activations = activations;
        var offsets = new int[activations.Length];
        int length = 0;
        for (int a = 0; a < activations.Length; a++)
        {
            offsets[a] = length;
            length += activations[a].Grid.Pixels;
        }

        ChainOffsets = [.. offsets];
        ChainLength = length;
    }

    public ImageShape Input { get; }

    public ImmutableArray<SliceSegment> Segments { get; }

    public SliceReadout Readout { get; }

    /// <summary>The flat operations after the readout (Dense, activations, flat residual blocks).</summary>
    public LayerPlan Tail { get; }

    /// <summary>Every activation in program order (branches included); <see cref="SliceActivation.Index"/> is its place here.</summary>
    public ImmutableArray<SliceActivation> Activations { get; }

    /// <summary>Where activation a's pixel variances start in a point's chain.</summary>
    public ImmutableArray<int> ChainOffsets { get; }

    /// <summary>Values per point's chain: Σ over activations of their grid's pixels.</summary>
    public int ChainLength { get; }

    /// <summary>The largest grid any step works on (pixels).</summary>
    public int MaxPixels => Math.Max(Input.Pixels.Pixels, Segments.Max(s => Math.Max(s.Input.Pixels, s.Output.Pixels)));

    /// <summary>The readout's grid.</summary>
    public SpatialShape ReadoutGrid => Segments[^1].Output;

    /// <summary>
    /// The program of <paramref name="plan"/>, or null when a layer has no slice form (a residual
    /// block with a barrier inside): the plan's host reference computes those.
    /// </summary>
    public static SliceProgram? TryCompile(LayerPlan plan, QuadratureRule quadrature)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(quadrature);
        if (plan.InputShape is not { } image)
        {
            return null;
        }

        var builder = new Builder(quadrature);
        var segments = ImmutableArray.CreateBuilder<SliceSegment>();
        SpatialShape grid = image.Pixels;
        SliceBarrier? source = null;
        SpatialShape segmentInput = grid;
        var steps = ImmutableArray.CreateBuilder<SliceStep>();
        int strideRows = 1, strideColumns = 1;
        for (int o = 0; o < plan.Operations.Length; o++)
        {
            ILayerOperation operation = plan.Operations[o];
            if (operation is FlattenOperation or GlobalAvgPoolOperation)
            {
                segments.Add(new SliceSegment(source, steps.ToImmutable(), segmentInput, grid, strideRows, strideColumns));
                var readout = operation is FlattenOperation ? SliceReadout.Flatten : SliceReadout.GlobalAvgPool;
                var program = new SliceProgram(image, segments.ToImmutable(), readout, plan.Suffix(o + 1), builder.Activations.ToImmutable());
                program.FindSlices();
                return program;
            }

            if (Barrier(operation, grid) is { } barrier)
            {
                segments.Add(new SliceSegment(source, steps.ToImmutable(), segmentInput, grid, strideRows, strideColumns));
                source = barrier;
                grid = barrier.Window.Output;
                segmentInput = grid;
                steps.Clear();
                strideRows = strideColumns = 1;
                continue;
            }

            if (builder.Step(operation, ref grid, ref strideRows, ref strideColumns) is not { } step)
            {
                return null;
            }

            steps.Add(step);
        }

        return null;
    }

    private static SliceBarrier? Barrier(ILayerOperation operation, SpatialShape grid) => operation switch
    {
        AvgPoolOperation pool => new SliceBarrier(
            Window(grid, pool.Parameters.WindowHeight, pool.Parameters.WindowWidth, pool.Parameters.StrideHeight, pool.Parameters.StrideWidth, pool.Parameters.Padding, pool.Description),
            SharedOffset: false,
            Weights: null,
            pool.Description),
        ConvOperation { Parameters.Padding: SpatialPadding.Circular } conv => new SliceBarrier(
            Window(grid, conv.Parameters.FilterHeight, conv.Parameters.FilterWidth, conv.Parameters.StrideHeight, conv.Parameters.StrideWidth, SpatialPadding.Circular, conv.Description),
            SharedOffset: true,
            new DenseVariances(conv.Parameters.WeightVariance, conv.Parameters.BiasVariance),
            conv.Description),
        _ => null,
    };

    private static SpatialWindow Window(SpatialShape grid, int height, int width, int strideHeight, int strideWidth, SpatialPadding padding, string description) =>
        new(grid, height, width, strideHeight, strideWidth, padding, description);

    /// <summary>
    /// The backward pass: the readout needs slice (0, 0) (Flatten) or all (global pooling) of the
    /// last segment; a segment needs at its start its output slices times its strides; a barrier
    /// needs of the segment before it every slice b − a its windows read.
    /// </summary>
    private void FindSlices()
    {
        SpatialShape last = ReadoutGrid;
        var pairRows = Readout == SliceReadout.Flatten ? [0] : SliceAxis.All(last.Height);
        var pairColumns = Readout == SliceReadout.Flatten ? [0] : SliceAxis.All(last.Width);
        int[] selfRows = pairRows, selfColumns = pairColumns;
        for (int s = Segments.Length - 1; s >= 0; s--)
        {
            SliceSegment segment = Segments[s];
            segment.PairSlices = new SliceOffsets(pairRows, pairColumns);
            segment.SelfSlices = new SliceOffsets([0, .. selfRows], [0, .. selfColumns]);
            if (segment.Source is not { } barrier)
            {
                break;
            }

            pairRows = Preimage(barrier, barrier.Window.Rows, [.. segment.PairSlices.Rows.Select(d => d * segment.StrideRows)]);
            pairColumns = Preimage(barrier, barrier.Window.Columns, [.. segment.PairSlices.Columns.Select(d => d * segment.StrideColumns)]);
            selfRows = Preimage(barrier, barrier.Window.Rows, [.. segment.SelfSlices.Rows.Select(d => d * segment.StrideRows)]);
            selfColumns = Preimage(barrier, barrier.Window.Columns, [.. segment.SelfSlices.Columns.Select(d => d * segment.StrideColumns)]);
        }
    }

    /// <summary>The input offsets b − a that output offsets <paramref name="outputs"/> of a barrier read along one axis.</summary>
    private static int[] Preimage(SliceBarrier barrier, WindowAxis axis, int[] outputs)
    {
        var inputs = new HashSet<int>();
        foreach (int d in outputs)
        {
            for (int o = SliceAxis.First(d); o < SliceAxis.End(axis.Output, d); o++)
            {
                for (int alpha = 0; alpha < axis.Window; alpha++)
                {
                    for (int beta = barrier.SharedOffset ? alpha : 0; beta < (barrier.SharedOffset ? alpha + 1 : axis.Window); beta++)
                    {
                        int a = axis.Source(o, alpha), b = axis.Source(o + d, beta);
                        if (a >= 0 && b >= 0)
                        {
                            inputs.Add(b - a);
                        }
                    }
                }
            }
        }

        return [.. inputs];
    }

    /// <summary>Translates the slice-local operations, numbering the activations in program order.</summary>
    private sealed class Builder(QuadratureRule quadrature)
    {
        public ImmutableArray<SliceActivation>.Builder Activations { get; } = ImmutableArray.CreateBuilder<SliceActivation>();

        public SliceStep? Step(ILayerOperation operation, ref SpatialShape grid, ref int strideRows, ref int strideColumns)
        {
            switch (operation)
            {
                case ConvOperation conv when conv.Parameters.Padding != SpatialPadding.Circular:
                    {
                        ConvParameters p = conv.Parameters;
                        var window = new SpatialWindow(grid, p.FilterHeight, p.FilterWidth, p.StrideHeight, p.StrideWidth, p.Padding, conv.Description);
                        var step = new SliceConv(window.Rows, window.Columns, new DenseVariances(p.WeightVariance, p.BiasVariance), grid, window.Output);
                        grid = window.Output;
                        strideRows *= p.StrideHeight;
                        strideColumns *= p.StrideWidth;
                        return step;
                    }

                case ActivationOperation activation:
                    {
                        ActivationLayer layer = activation.Layer;
                        var step = new SliceActivation(Activations.Count, layer, ActivationOperation.View(layer, quadrature), grid);
                        Activations.Add(step);
                        return step;
                    }

                case ResidualOperation residual:
                    return Residual(residual, ref grid, ref strideRows, ref strideColumns);
                default:
                    return null;
            }
        }

        /// <summary>A residual block of slice steps whose branches end on one grid with one stride; null otherwise.</summary>
        private SliceResidual? Residual(ResidualOperation residual, ref SpatialShape grid, ref int strideRows, ref int strideColumns)
        {
            var branches = ImmutableArray.CreateBuilder<ImmutableArray<SliceStep>>();
            (SpatialShape Grid, int Rows, int Columns)? end = null;
            foreach (LayerPlan branch in residual.Branches)
            {
                SpatialShape branchGrid = grid;
                int rows = 1, columns = 1;
                var steps = ImmutableArray.CreateBuilder<SliceStep>();
                foreach (ILayerOperation operation in branch.Operations)
                {
                    if (Step(operation, ref branchGrid, ref rows, ref columns) is not { } step)
                    {
                        return null;
                    }

                    steps.Add(step);
                }

                if (end is { } e && e != (branchGrid, rows, columns))
                {
                    return null;
                }

                end = (branchGrid, rows, columns);
                branches.Add(steps.ToImmutable());
            }

            if (end is not { } result)
            {
                return null;
            }

            grid = result.Grid;
            strideRows *= result.Rows;
            strideColumns *= result.Columns;
            return new SliceResidual(branches.ToImmutable());
        }
    }
}
