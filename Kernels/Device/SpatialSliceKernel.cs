using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// One segment of a slice program (<see cref="SliceSegmentArguments"/>) for a tile of pairs: a group
/// per (pair, slice), its threads owning the slice's positions (strided by the group size: a power of
/// two from 32 to <see cref="DeviceTiling.GroupSize"/>, the launch's choice), the
/// slice's K and Θ in the group's scratch (<typeparamref name="TScratch"/>: shared memory where it
/// fits) through every instruction of the segment, a group barrier between instructions (a
/// convolution's stencil reads its neighbours' values). The slice starts from the two images
/// (K⁰ = x_i·x′_j / C, Θ⁰ = 0) or from a barrier over the pair's whole covariance of the previous
/// segment (<c>fullK</c>, pair-major P×P), and ends in the readout's partial sum of the group (one
/// value per group: the host sums a pair's slices) or scattered into the pair's next whole covariance.
/// </summary>
/// <remarks>
/// A point's own run is the pair (x, x): with <c>writeChain</c> (the diagonal slice, launched before
/// the others of its segment) each activation first writes the slice's values, the point's pixel
/// variances, into its chain; every other launch reads them there, from the row and column points'
/// chains. Flags are ints (1 for true): a kernel's arguments must be blittable. Zero-length buffers cannot be allocated: unused views are one-element dummies.
/// </remarks>
internal readonly struct SpatialSliceKernel<TScratch>(
    ArrayView<int> program,
    ArrayView<double> values,
    ArrayView<int> barrierSources,
    SliceSegmentArguments segment,
    ArrayView<int> slices,
    int sliceCount,
    ArrayView<int> pairRows,
    ArrayView<int> pairColumns,
    int pairs,
    ArrayView<double> rowImages,
    ArrayView<double> columnImages,
    int channels,
    ArrayView<double> rowChains,
    ArrayView<double> columnChains,
    int chainLength,
    int writeChain,
    ArrayView<double> fullK,
    ArrayView<double> fullTheta,
    ArrayView<double> nextK,
    ArrayView<double> nextTheta,
    ArrayView<double> partialK,
    ArrayView<double> partialTheta,
    TScratch scratch,
    int slotCapacity,
    int ntk)
    : IGroupedDeviceKernel
    where TScratch : struct, ISliceScratch
{
    public long Groups => (long)pairs * sliceCount;

    private int Halves => ntk != 0 ? 2 : 1;

    public void Execute()
    {
        int group = Grid.IdxX;
        int thread = Group.IdxX;
        int pair = group / sliceCount;
        int slice = group - (pair * sliceCount);
        int dr = slices[2 * slice], dc = slices[(2 * slice) + 1];
        int row = pairRows[pair], column = pairColumns[pair];
        ArrayView<double> slots = scratch.Of(group);
        var reduction = SharedMemory.Allocate<double>(DeviceTiling.GroupSize);

        Load(slots, pair, row, column, dr, dc, thread);
        Group.Barrier();
        for (int n = 0; n < segment.Instructions; n++)
        {
            Run(slots, (segment.FirstInstruction + n) * SliceInstruction.Length, row, column, dr, dc, thread);
            Group.Barrier();
        }

        int outRows = dr / segment.StrideRows, outColumns = dc / segment.StrideColumns;
        int h = segment.OutHeight, w = segment.OutWidth;
        int firstRow = First(outRows), firstColumn = First(outColumns);
        int heldColumns = End(w, outColumns) - firstColumn;
        int held = (End(h, outRows) - firstRow) * heldColumns;
        long k = Slot(segment.ResultSlot), theta = k + slotCapacity;
        if (segment.Readout != 0)
        {
            Reduce(reduction, slots, k, firstRow, firstColumn, heldColumns, held, w, thread, partialK, group);
            if (ntk != 0)
            {
                Reduce(reduction, slots, theta, firstRow, firstColumn, heldColumns, held, w, thread, partialTheta, group);
            }

            return;
        }

        long pixels = (long)h * w;
        for (int t = thread; t < held; t += Group.DimX)
        {
            int ih = firstRow + (t / heldColumns), iw = firstColumn + (t % heldColumns);
            int i = (ih * w) + iw, j = ((ih + outRows) * w) + iw + outColumns;
            long at = (pair * pixels * pixels) + (i * pixels) + j;
            nextK[at] = slots[k + i];
            if (ntk != 0)
            {
                nextTheta[at] = slots[theta + i];
            }
        }
    }

    private static int First(int offset) => offset < 0 ? -offset : 0;

    private static int End(int length, int offset) => offset > 0 ? length - offset : length;

    private long Slot(int slot) => (long)slot * Halves * slotCapacity;

    /// <summary>The segment's input slice (dr, dc) of the pair into slot 0.</summary>
    private void Load(ArrayView<double> slots, int pair, int row, int column, int dr, int dc, int thread)
    {
        int h = segment.InHeight, w = segment.InWidth;
        int firstRow = First(dr), firstColumn = First(dc);
        int heldColumns = End(w, dc) - firstColumn;
        int held = (End(h, dr) - firstRow) * heldColumns;
        long theta = slotCapacity;
        for (int t = thread; t < held; t += Group.DimX)
        {
            int ih = firstRow + (t / heldColumns), iw = firstColumn + (t % heldColumns);
            int i = (ih * w) + iw, j = ((ih + dr) * w) + iw + dc;
            double k, th = 0;
            if (segment.FromBarrier != 0)
            {
                (k, th) = FromBarrier(pair, i, j);
            }
            else
            {
                long x = ((long)row * h * w * channels) + ((long)i * channels);
                long y = ((long)column * h * w * channels) + ((long)j * channels);
                double sum = 0;
                for (int c = 0; c < channels; c++)
                {
                    sum += rowImages[x + c] * columnImages[y + c];
                }

                k = sum * (1.0 / channels);
            }

            slots[i] = k;
            if (ntk != 0)
            {
                slots[theta + i] = th;
            }
        }
    }

    /// <summary>Output entry (o, partner) of the barrier: the mean over its windows' pairs of the previous covariance, then the circular convolution's weights.</summary>
    private (double K, double Theta) FromBarrier(int pair, int o, int partner)
    {
        long inPixels = segment.BarrierInputPixels;
        long start = pair * inPixels * inPixels;
        int offsets = segment.BarrierOffsets;
        double sumK = 0, sumTheta = 0;
        for (int alpha = 0; alpha < offsets; alpha++)
        {
            int a = barrierSources[segment.BarrierSources + (o * offsets) + alpha];
            if (a < 0)
            {
                continue;
            }

            int betaStart = segment.BarrierSharedOffset != 0 ? alpha : 0;
            int betaEnd = segment.BarrierSharedOffset != 0 ? alpha + 1 : offsets;
            for (int beta = betaStart; beta < betaEnd; beta++)
            {
                int b = barrierSources[segment.BarrierSources + (partner * offsets) + beta];
                if (b >= 0)
                {
                    long at = start + (a * inPixels) + b;
                    sumK += fullK[at];
                    if (ntk != 0)
                    {
                        sumTheta += fullTheta[at];
                    }
                }
            }
        }

        double k = sumK * segment.BarrierScale;
        if (segment.BarrierWeighted != 0)
        {
            k = segment.BarrierBias + (segment.BarrierWeight * k);
        }

        double theta = sumTheta * segment.BarrierScale;
        if (segment.BarrierWeighted != 0)
        {
            theta = k + (segment.BarrierWeight * theta);
        }

        return (k, theta);
    }

    /// <summary>One instruction at <paramref name="at"/> on the slice whose segment input offsets are (dr, dc).</summary>
    private void Run(ArrayView<double> slots, int at, int row, int column, int dr, int dc, int thread)
    {
        int op = program[at + SliceInstruction.Op];
        int rows = dr / program[at + SliceInstruction.StrideRows];
        int columns = dc / program[at + SliceInstruction.StrideColumns];
        int h = program[at + SliceInstruction.InHeight], w = program[at + SliceInstruction.InWidth];
        long source = Slot(program[at + SliceInstruction.Source]);
        if (op == SliceInstruction.Convolve)
        {
            Convolve(slots, at, source, Slot(program[at + SliceInstruction.Temp]), rows, columns, h, w, thread);
            return;
        }

        int firstRow = First(rows), firstColumn = First(columns);
        int heldColumns = End(w, columns) - firstColumn;
        int held = (End(h, rows) - firstRow) * heldColumns;
        if (op == SliceInstruction.Activate)
        {
            var activation = new Activation(
                (ActivationKind)program[at + SliceInstruction.Kind], values[program[at + SliceInstruction.Values]], values[program[at + SliceInstruction.Values] + 1]);
            long chain = program[at + SliceInstruction.Chain];
            long rowChain = ((long)row * chainLength) + chain, columnChain = ((long)column * chainLength) + chain;
            for (int t = thread; t < held; t += Group.DimX)
            {
                int ih = firstRow + (t / heldColumns), iw = firstColumn + (t % heldColumns);
                int i = (ih * w) + iw, j = ((ih + rows) * w) + iw + columns;
                double k = slots[source + i];
                double k11 = k, k22 = k;
                if (writeChain != 0)
                {
                    rowChains[rowChain + i] = k;
                }
                else
                {
                    k11 = rowChains[rowChain + i];
                    k22 = columnChains[columnChain + j];
                }

                DualMoments moments = DualActivation.Evaluate(default(ClosedFormNetworkView), activation, 0, k, k11, k22, ntk != 0);
                slots[source + i] = moments.F;
                if (ntk != 0)
                {
                    slots[source + slotCapacity + i] *= moments.FDot;
                }
            }

            return;
        }

        long target = Slot(program[at + SliceInstruction.Target]);
        for (int t = thread; t < held; t += Group.DimX)
        {
            int ih = firstRow + (t / heldColumns), iw = firstColumn + (t % heldColumns);
            int i = (ih * w) + iw;
            for (int half = 0; half < Halves; half++)
            {
                long offset = (half * (long)slotCapacity) + i;
                double value = slots[source + offset];
                slots[target + offset] = op == SliceInstruction.Copy ? value : slots[target + offset] + value;
            }
        }
    }

    /// <summary>
    /// The convolution on slice (rows, columns) of the input grid h×w: the filter's column sums into
    /// <paramref name="temp"/> (input rows × output columns), a barrier, then its row sums, scaled,
    /// back into <paramref name="source"/> on the output grid (Θ′ = K′ + σw²·W(Θ)).
    /// </summary>
    private void Convolve(ArrayView<double> slots, int at, long source, long temp, int rows, int columns, int h, int w, int thread)
    {
        int outH = program[at + SliceInstruction.OutHeight], outW = program[at + SliceInstruction.OutWidth];
        int rowWindow = program[at + SliceInstruction.RowWindow], rowStride = program[at + SliceInstruction.RowStride], rowPad = program[at + SliceInstruction.RowPadBefore];
        int columnWindow = program[at + SliceInstruction.ColumnWindow], columnStride = program[at + SliceInstruction.ColumnStride], columnPad = program[at + SliceInstruction.ColumnPadBefore];
        int outRows = rows / rowStride, outColumns = columns / columnStride;
        double bias = values[program[at + SliceInstruction.Values]], weight = values[program[at + SliceInstruction.Values] + 1];

        int firstH = First(rows), endH = End(h, rows), firstW = First(columns), endW = End(w, columns);
        int firstOutW = First(outColumns), heldOutW = End(outW, outColumns) - firstOutW;
        int held = (endH - firstH) * heldOutW;
        for (int t = thread; t < held; t += Group.DimX)
        {
            int ih = firstH + (t / heldOutW), ow = firstOutW + (t % heldOutW);
            int start = (ow * columnStride) - columnPad;
            int lo = start > firstW ? start : firstW, hi = start + columnWindow < endW ? start + columnWindow : endW;
            for (int half = 0; half < Halves; half++)
            {
                long offset = half * (long)slotCapacity;
                double sum = 0;
                for (int iw = lo; iw < hi; iw++)
                {
                    sum += slots[source + offset + (ih * w) + iw];
                }

                slots[temp + offset + (ih * outW) + ow] = sum;
            }
        }

        Group.Barrier();
        int firstOutH = First(outRows);
        held = (End(outH, outRows) - firstOutH) * heldOutW;
        for (int t = thread; t < held; t += Group.DimX)
        {
            int oh = firstOutH + (t / heldOutW), ow = firstOutW + (t % heldOutW);
            int start = (oh * rowStride) - rowPad;
            int lo = start > firstH ? start : firstH, hi = start + rowWindow < endH ? start + rowWindow : endH;
            double sumK = 0, sumTheta = 0;
            for (int ih = lo; ih < hi; ih++)
            {
                sumK += slots[temp + (ih * outW) + ow];
                if (ntk != 0)
                {
                    sumTheta += slots[temp + slotCapacity + (ih * outW) + ow];
                }
            }

            int o = (oh * outW) + ow;
            double k = bias + (weight * sumK);
            slots[source + o] = k;
            if (ntk != 0)
            {
                slots[source + slotCapacity + o] = k + (weight * sumTheta);
            }
        }
    }

    /// <summary>target[group] = Σ of the slice's held values (a tree in shared memory).</summary>
    private static void Reduce(
        ArrayView<double> reduction, ArrayView<double> slots, long start, int firstRow, int firstColumn, int heldColumns, int held, int w, int thread, ArrayView<double> target, int group)
    {
        double sum = 0;
        for (int t = thread; t < held; t += Group.DimX)
        {
            int ih = firstRow + (t / heldColumns), iw = firstColumn + (t % heldColumns);
            sum += slots[start + (ih * w) + iw];
        }

        double total = GroupSum.Tree(reduction, thread, sum, Group.DimX);
        if (thread == 0)
        {
            target[group] = total;
        }

        Group.Barrier(); // the next reduction reuses the buffer
    }
}
