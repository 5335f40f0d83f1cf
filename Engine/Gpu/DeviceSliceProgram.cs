using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Spatial;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Device;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// A <see cref="SliceProgram"/> flattened into plain arrays for <see cref="SpatialSliceKernel{TScratch}"/>:
/// the steps of every segment as instructions on scratch slots (<see cref="SliceInstruction"/>; a
/// residual block unrolled into copies, its branches and sums), their constants, the barriers'
/// window sources, and per segment the slices a pair's and a point's own run compute (those the
/// segment's input grid holds; the diagonal slice first).
/// </summary>
internal sealed class DeviceSliceProgram
{
    private readonly List<int> _program = [];
    private readonly List<double> _values = [];
    private readonly List<int> _sources = [];
    private readonly List<int> _freeSlots = [];
    private readonly SliceProgram _slices;
    private int _strideRows = 1;
    private int _strideColumns = 1;
    private SpatialShape _grid;

    public DeviceSliceProgram(SliceProgram program)
    {
        _slices = program ?? throw new ArgumentNullException(nameof(program));
        Slots = 1;
        var segments = new List<DeviceSegment>();
        for (int s = 0; s < program.Segments.Length; s++)
        {
            SliceSegment segment = program.Segments[s];
            bool last = s == program.Segments.Length - 1;
            int first = _program.Count / SliceInstruction.Length;
            _strideRows = _strideColumns = 1;
            _grid = segment.Input;
            _freeSlots.Clear();
            int result = Steps(segment.Steps, 0);
            var arguments = new SliceSegmentArguments(
                first,
                (_program.Count / SliceInstruction.Length) - first,
                segment.Input.Height,
                segment.Input.Width,
                segment.Output.Height,
                segment.Output.Width,
                segment.StrideRows,
                segment.StrideColumns,
                result,
                segment.Source is not null ? 1 : 0,
                segment.Source?.Window.Input.Pixels ?? 0,
                segment.Source?.Window.Offsets ?? 0,
                segment.Source?.SharedOffset == true ? 1 : 0,
                segment.Source is { } barrier ? Sources(barrier.Window) : 0,
                segment.Source?.TapScale ?? 0,
                segment.Source?.Weights is not null ? 1 : 0,
                segment.Source?.Weights?.BiasVariance ?? 0,
                segment.Source?.Weights?.WeightVariance ?? 0,
                last ? 1 : 0);
            segments.Add(new DeviceSegment(arguments, Held(segment, segment.PairSlices), Held(segment, segment.SelfSlices)));
        }

        Segments = segments;
        Program = [.. _program];
        Values = _values.Count > 0 ? [.. _values] : [0];
        BarrierSources = _sources.Count > 0 ? [.. _sources] : [0];
        Pixels = program.MaxPixels;
        ReadoutScale = program.Readout == SliceReadout.Flatten ? 1.0 / program.ReadoutGrid.Pixels : 1.0 / ((double)program.ReadoutGrid.Pixels * program.ReadoutGrid.Pixels);
        FullPixels = segments.Count > 1 ? program.Segments.Take(segments.Count - 1).Max(x => x.Output.Pixels) : 0;
    }

    /// <summary>The instructions, <see cref="SliceInstruction.Length"/> ints each (at least one int).</summary>
    public int[] Program { get; }

    public double[] Values { get; }

    /// <summary>Every barrier's window sources: entry o·offsets + α is the input pixel output o reads at window offset α, −1 on padding.</summary>
    public int[] BarrierSources { get; }

    public IReadOnlyList<DeviceSegment> Segments { get; }

    /// <summary>Scratch slots a group needs (the segment input's, a convolution's column sums, a residual branch's copies).</summary>
    public int Slots { get; private set; }

    /// <summary>Values a slot's K (and its Θ) holds: the largest grid.</summary>
    public int Pixels { get; }

    /// <summary>The largest whole covariance a barrier reads, in pixels of one side (0 without barriers).</summary>
    public int FullPixels { get; }

    /// <summary>1/P (Flatten) or 1/P² (global pooling): the readout's mean.</summary>
    public double ReadoutScale { get; }

    /// <summary>The slices the segment's input grid holds, as (row offset, column offset) of its input, in order.</summary>
    private static int[] Held(SliceSegment segment, SliceOffsets offsets)
    {
        var held = new List<int>();
        foreach ((int dr, int dc) in offsets.Slices())
        {
            int rows = dr * segment.StrideRows, columns = dc * segment.StrideColumns;
            if (Math.Abs(rows) < segment.Input.Height && Math.Abs(columns) < segment.Input.Width)
            {
                held.Add(rows);
                held.Add(columns);
            }
        }

        return [.. held];
    }

    private int Sources(SpatialWindow window)
    {
        int start = _sources.Count;
        for (int o = 0; o < window.Output.Pixels; o++)
        {
            for (int alpha = 0; alpha < window.Offsets; alpha++)
            {
                _sources.Add(window.Source(o, alpha));
            }
        }

        return start;
    }

    /// <summary>The instructions of <paramref name="steps"/> on the slice in <paramref name="slot"/>; the slot that holds the result.</summary>
    private int Steps(IEnumerable<SliceStep> steps, int slot)
    {
        foreach (SliceStep step in steps)
        {
            slot = step switch
            {
                SliceConv conv => Convolve(conv, slot),
                SliceActivation activation => Activate(activation, slot),
                SliceResidual residual => Residual(residual, slot),
                _ => throw new InvalidOperationException($"no device form for {step}"),
            };
        }

        return slot;
    }

    private int Convolve(SliceConv conv, int slot)
    {
        int temp = Rent();
        int[] instruction = Instruction(SliceInstruction.Convolve, slot, conv.Input);
        instruction[SliceInstruction.Temp] = temp;
        instruction[SliceInstruction.OutHeight] = conv.Output.Height;
        instruction[SliceInstruction.OutWidth] = conv.Output.Width;
        instruction[SliceInstruction.RowWindow] = conv.Rows.Window;
        instruction[SliceInstruction.RowStride] = conv.Rows.Stride;
        instruction[SliceInstruction.RowPadBefore] = conv.Rows.PadBefore;
        instruction[SliceInstruction.ColumnWindow] = conv.Columns.Window;
        instruction[SliceInstruction.ColumnStride] = conv.Columns.Stride;
        instruction[SliceInstruction.ColumnPadBefore] = conv.Columns.PadBefore;
        instruction[SliceInstruction.Values] = Constants(conv.Weights.BiasVariance, conv.Weights.WeightVariance * conv.TapScale);
        _program.AddRange(instruction);
        _freeSlots.Add(temp);
        _strideRows *= conv.Rows.Stride;
        _strideColumns *= conv.Columns.Stride;
        _grid = conv.Output;
        return slot;
    }

    private int Activate(SliceActivation activation, int slot)
    {
        Activation phi = activation.Layer.Activation;
        int[] instruction = Instruction(SliceInstruction.Activate, slot, activation.Grid);
        instruction[SliceInstruction.Kind] = (int)phi.Kind;
        instruction[SliceInstruction.Chain] = _slices.ChainOffsets[activation.Index];
        instruction[SliceInstruction.Values] = Constants(phi.NegativeSlope, phi.PositiveSlope);
        _program.AddRange(instruction);
        return slot;
    }

    /// <summary>Each branch but the last from a copy of the slot (the last from the slot itself), each result added into the first.</summary>
    private int Residual(SliceResidual residual, int slot)
    {
        (int rows, int columns, SpatialShape grid) = (_strideRows, _strideColumns, _grid);
        int? sum = null;
        for (int b = 0; b < residual.Branches.Length; b++)
        {
            (_strideRows, _strideColumns, _grid) = (rows, columns, grid);
            int start = slot;
            if (b < residual.Branches.Length - 1)
            {
                start = Rent();
                int[] copy = Instruction(SliceInstruction.Copy, slot, _grid);
                copy[SliceInstruction.Target] = start;
                _program.AddRange(copy);
            }

            int result = Steps(residual.Branches[b], start);
            if (sum is not { } total)
            {
                sum = result;
                continue;
            }

            int[] add = Instruction(SliceInstruction.Add, result, _grid);
            add[SliceInstruction.Target] = total;
            _program.AddRange(add);
            _freeSlots.Add(result);
        }

        return sum ?? slot;
    }

    private int[] Instruction(int op, int source, SpatialShape grid)
    {
        var instruction = new int[SliceInstruction.Length];
        instruction[SliceInstruction.Op] = op;
        instruction[SliceInstruction.Source] = source;
        instruction[SliceInstruction.InHeight] = grid.Height;
        instruction[SliceInstruction.InWidth] = grid.Width;
        instruction[SliceInstruction.StrideRows] = _strideRows;
        instruction[SliceInstruction.StrideColumns] = _strideColumns;
        return instruction;
    }

    private int Constants(double first, double second)
    {
        _values.Add(first);
        _values.Add(second);
        return _values.Count - 2;
    }

    private int Rent()
    {
        if (_freeSlots.Count > 0)
        {
            int slot = _freeSlots[^1];
            _freeSlots.RemoveAt(_freeSlots.Count - 1);
            return slot;
        }

        return Slots++;
    }
}

/// <summary>One segment's launch arguments and the input slices (row, column offset pairs) a pair's and a point's own run compute.</summary>
internal sealed record DeviceSegment(SliceSegmentArguments Arguments, int[] PairSlices, int[] SelfSlices);
