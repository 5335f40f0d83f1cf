using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// target[j] = Σ_i A[i, j]² over the columns of a rows×columns matrix: the explained variances
/// ‖L⁻¹k_D*‖² of the test points once V = L⁻¹K_D* is solved (the host takes max(0, prior − sum)).
/// One group per column; its threads stride down the column (coalesced), then a tree reduction in
/// shared memory.
/// </summary>
/// <param name="matrix">The rows×columns matrix V, column-major.</param>
/// <param name="rows">Its row count (the training points N).</param>
/// <param name="columns">Its column count (the test points of the tile); one group each.</param>
/// <param name="target">At least <paramref name="columns"/> entries.</param>
internal readonly struct ColumnSumsOfSquaresKernel(ArrayView<double> matrix, int rows, int columns, ArrayView<double> target) : IGroupedDeviceKernel
{
    public long Groups => columns;

    public void Execute()
    {
        var partial = SharedMemory.Allocate<double>(DeviceTiling.GroupSize);
        int column = Grid.IdxX;
        int thread = Group.IdxX;
        long offset = (long)column * rows;
        double sum = 0;
        for (int i = thread; i < rows; i += DeviceTiling.GroupSize)
        {
            double v = matrix[offset + i];
            sum += v * v;
        }

        double total = GroupSum.Tree(partial, thread, sum, DeviceTiling.GroupSize);
        if (thread == 0)
        {
            target[column] = total;
        }
    }
}
