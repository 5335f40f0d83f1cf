using System.Globalization;
using GpuNngp.Engine.Computation;

namespace GpuNngp.Engine.Gpu;

/// <summary>
/// Device-memory arithmetic of the GPU path, kept pure so the CPU tests check it: what a fit needs
/// before K_DD is allocated, and how many test points one prediction tile may take.
/// </summary>
internal static class GpuMemoryPlan
{
    /// <summary>Left free for cuBLAS/cuSOLVER workspaces (potrf's included), ILGPU and the driver.</summary>
    public const long Reserve = 512L << 20;

    /// <summary>The share of the free memory a prediction tile may use.</summary>
    public const double TileShare = 0.9;

    /// <summary>K_DD itself: 8·N² bytes.</summary>
    public static long KernelMatrixBytes(int n) => 8L * n * n;

    /// <summary>Everything else a fit keeps on the device: X, Y/α, the diagonals and the per-layer variances.</summary>
    public static long FitSideBytes(int n, int dimension, int outputs, int depth) =>
        8L * n * ((long)dimension + outputs + depth + 2);

    /// <summary>Throws the one-line memory error when a fit of N training points cannot fit in <paramref name="freeBytes"/>.</summary>
    public static void CheckFit(int n, int dimension, int outputs, int depth, long freeBytes)
    {
        long matrix = KernelMatrixBytes(n);
        long side = FitSideBytes(n, dimension, outputs, depth) + Reserve;
        if (matrix + side > freeBytes)
        {
            throw MemoryRefusal.Error(
                string.Create(CultureInfo.InvariantCulture, $"N = {n:N0} training points need"), matrix, "K_DD",
                side, "X, the targets and workspace", "the GPU has", freeBytes, "free", "use fewer training points or the CPU (DeviceKind.Cpu)");
        }
    }

    /// <summary>Throws when a kernel matrix of rows×columns (with both input sets) cannot fit.</summary>
    public static void CheckKernel(int rows, int columns, int dimension, int depth, long freeBytes)
    {
        long matrix = 8L * rows * columns;
        long side = 8L * ((long)rows + columns) * ((long)dimension + depth + 1) + Reserve;
        if (matrix + side > freeBytes)
        {
            throw MemoryRefusal.Error(
                string.Create(CultureInfo.InvariantCulture, $"a {rows:N0}×{columns:N0} kernel needs"), matrix, "the matrix",
                side, "the inputs and workspace", "the GPU has", freeBytes, "free", "use fewer points or the CPU (DeviceKind.Cpu)");
        }
    }

    /// <summary>Bytes one test point costs in a prediction tile: its K_D* column, its inputs, mean, diagonals and variance.</summary>
    public static long BytesPerTestPoint(int n, int dimension, int outputs, int depth) =>
        8L * ((long)n + dimension + outputs + depth + 2);

    /// <summary>
    /// Test points per tile: as many as <see cref="TileShare"/> of the free memory (less
    /// <see cref="Reserve"/>) holds, at most <paramref name="testCount"/>; the error when not even one fits.
    /// </summary>
    public static int TestTile(int n, int dimension, int outputs, int depth, int testCount, long freeBytes)
    {
        long perPoint = BytesPerTestPoint(n, dimension, outputs, depth);
        long usable = (long)(TileShare * Math.Max(0, freeBytes - Reserve));
        long tile = usable / perPoint;
        if (tile < 1)
        {
            throw new NngpInputException(string.Create(CultureInfo.InvariantCulture,
                $"predicting with N = {n:N0} needs {Gigabytes(perPoint + Reserve)} for one test point but the GPU has {Gigabytes(freeBytes)} free"));
        }

        return (int)Math.Min(tile, Math.Max(1, testCount));
    }

    /// <summary>Decimal gigabytes with one decimal, e.g. "115.2 GB".</summary>
    public static string Gigabytes(long bytes) => MemoryRefusal.Gigabytes(bytes);
}
