using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>The sum of one value per thread of a group, by a tree of halvings in shared memory: every thread of the group calls it.</summary>
internal static class GroupSum
{
    /// <summary>
    /// Σ of every thread's <paramref name="value"/>, read back by all; <paramref name="partial"/> is
    /// shared memory of at least <paramref name="size"/> (the group's size, a power of two) entries.
    /// </summary>
    public static double Tree(ArrayView<double> partial, int thread, double value, int size)
    {
        partial[thread] = value;
        Group.Barrier();
        for (int stride = size / 2; stride > 0; stride /= 2)
        {
            if (thread < stride)
            {
                partial[thread] += partial[thread + stride];
            }

            Group.Barrier();
        }

        return partial[0];
    }
}
