using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// result[0] ← min(result[0], the smallest column-major index j·n + i, i ≥ j, of a NaN or ±∞ entry of
/// the lower triangle (diagonal included) of the n×n matrix). The caller sets result[0] to
/// <see cref="long.MaxValue"/> first (so that value afterwards means every entry is finite). One group
/// per column; its threads stride down the column from the diagonal (coalesced), and a thread's first
/// non-finite entry is its smallest, so it takes one atomic min and stops.
/// </summary>
internal readonly struct FirstNonFiniteLowerTriangleKernel(ArrayView<double> matrix, int n, ArrayView<long> result) : IGroupedDeviceKernel
{
    public long Groups => n;

    public void Execute()
    {
        int column = Grid.IdxX;
        long offset = (long)column * n;
        for (int row = column + Group.IdxX; row < n; row += DeviceTiling.GroupSize)
        {
            double value = matrix[offset + row];
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                Atomic.Min(ref result[0], offset + row);
                return;
            }
        }
    }
}
