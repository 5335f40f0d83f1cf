using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.Gpu;

// TEMPORARY until the device-kernel branch lands (it adds these as ILGPU kernels on GpuKernels,
// whose instance methods then take precedence): host round trips with the same signatures.
internal static class GpuKernelsPending
{
    public static void ColumnSumsOfSquares(this GpuKernels kernels, AcceleratorStream stream, ArrayView<double> matrix, int rows, int columns, ArrayView<double> target)
    {
        var host = new double[(long)rows * columns];
        matrix.SubView(0, host.Length).CopyToCPU(stream, host);
        var sums = new double[columns];
        for (int j = 0; j < columns; j++)
        {
            for (int i = 0; i < rows; i++)
            {
                sums[j] += host[(long)j * rows + i] * host[(long)j * rows + i];
            }
        }

        target.SubView(0, columns).CopyFromCPU(stream, sums);
    }

    public static void MirrorLowerToUpper(this GpuKernels kernels, AcceleratorStream stream, ArrayView<double> matrix, int n) => Mirror(stream, matrix, n, toUpper: true);

    public static void RestoreLowerFromUpper(this GpuKernels kernels, AcceleratorStream stream, ArrayView<double> matrix, int n) => Mirror(stream, matrix, n, toUpper: false);

    public static void FirstNonFiniteLowerTriangle(this GpuKernels kernels, AcceleratorStream stream, ArrayView<double> matrix, int n, ArrayView<long> result)
    {
        var host = new double[(long)n * n];
        matrix.SubView(0, host.Length).CopyToCPU(stream, host);
        long first = long.MaxValue;
        for (int j = 0; j < n && first == long.MaxValue; j++)
        {
            for (int i = j; i < n; i++)
            {
                if (!double.IsFinite(host[(long)j * n + i]))
                {
                    first = (long)j * n + i;
                    break;
                }
            }
        }

        result.SubView(0, 1).CopyFromCPU(stream, new[] { first });
    }

    private static void Mirror(AcceleratorStream stream, ArrayView<double> matrix, int n, bool toUpper)
    {
        var host = new double[(long)n * n];
        matrix.SubView(0, host.Length).CopyToCPU(stream, host);
        for (int j = 0; j < n; j++)
        {
            for (int i = j + 1; i < n; i++)
            {
                if (toUpper)
                {
                    host[(long)i * n + j] = host[(long)j * n + i];
                }
                else
                {
                    host[(long)j * n + i] = host[(long)i * n + j];
                }
            }
        }

        matrix.SubView(0, host.Length).CopyFromCPU(stream, host);
    }
}
