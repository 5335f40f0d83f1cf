using GpuNngp.Engine.Computation;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Cpu;

/// <summary>
/// Host-memory arithmetic of the CPU path, kept pure so tests check it at sizes they could never
/// allocate: what a fit, a kernel or an input-Gram cache takes, and the refusal, before any work,
/// of a size that cannot fit in what the host has available (<see cref="HostMemory"/>). It counts
/// the whole N×N matrix although the first factorisation only touches its lower half, because a
/// failed one mirrors the kernel into the upper half before trying again with jitter.
/// </summary>
internal static class HostMemoryPlan
{
    /// <summary>Left free for the runtime, thread stacks and OpenBLAS's own buffers.</summary>
    public const long Reserve = 256L << 20;

    /// <summary>An n×n matrix: 8·n² bytes.</summary>
    public static long SquareBytes(int n) => sizeof(double) * ColumnMajor.Count(n, n);

    /// <summary>
    /// Everything else a fit and its prediction keep: X twice (the caller's managed matrix and the
    /// native copy BLAS reads), Y and α, the diagonals and per-layer variances, one test tile.
    /// </summary>
    public static long FitSideBytes(int n, int dimension, int outputs, int depth) =>
        sizeof(double) * (long)n * (2L * dimension + 3L * outputs + depth + 4) + CpuFittedModel.TileBytes + Reserve;

    /// <summary>The inputs (managed and native) and per-layer variances of a rows×columns kernel.</summary>
    public static long KernelSideBytes(int rows, int columns, int dimension, int depth) =>
        sizeof(double) * ((long)rows + columns) * (2L * dimension + depth + 1) + Reserve;

    /// <summary>Refuses a fit of <paramref name="n"/> training points that the provider or the memory cannot hold.</summary>
    public static void CheckFit(int n, int dimension, int outputs, int depth, IHostLinearAlgebra linearAlgebra, long? availableBytes)
    {
        CheckProvider(ColumnMajor.Count(n, n), linearAlgebra, $"N = {n:N0} training points");
        long matrix = SquareBytes(n) * (1 + linearAlgebra.WorkingCopies);
        long side = FitSideBytes(n, dimension, outputs, depth);
        if (availableBytes is { } available && matrix + side > available)
        {
            throw MemoryRefusal.Error(
                $"N = {n:N0} training points need", matrix, linearAlgebra.WorkingCopies == 0 ? "K_DD" : "K_DD and the managed provider's copy of it",
                side, "X, the targets and workspace", "the host has", available, "available (MemAvailable)", "use fewer training points");
        }
    }

    /// <summary>Refuses a rows×columns kernel (with <paramref name="copies"/> host copies of it) that cannot fit.</summary>
    public static void CheckKernel(int rows, int columns, int dimension, int depth, int copies, IHostLinearAlgebra linearAlgebra, long? availableBytes)
    {
        long count = ColumnMajor.Count(rows, columns);
        CheckProvider(count, linearAlgebra, $"a {rows:N0}×{columns:N0} kernel");
        long matrix = sizeof(double) * count * (copies + linearAlgebra.WorkingCopies);
        long side = KernelSideBytes(rows, columns, dimension, depth);
        if (availableBytes is { } available && matrix + side > available)
        {
            throw MemoryRefusal.Error(
                $"a {rows:N0}×{columns:N0} kernel needs", matrix, copies == 1 ? "the matrix" : "the matrix and its MathNet copy",
                side, "the inputs and workspace", "the host has", available, "available (MemAvailable)", "use fewer points");
        }
    }

    /// <summary>Refuses an input-Gram cache of n training and v validation points that cannot fit.</summary>
    public static void CheckInputGram(int n, int validation, int dimension, IHostLinearAlgebra linearAlgebra, long? availableBytes)
    {
        CheckProvider(ColumnMajor.Count(n, n), linearAlgebra, $"N = {n:N0} training points");
        long matrix = SquareBytes(n) + sizeof(double) * ColumnMajor.Count(n, validation);
        long side = KernelSideBytes(n, validation, dimension, 0);
        if (availableBytes is { } available && matrix + side > available)
        {
            throw MemoryRefusal.Error(
                $"caching the input Gram of N = {n:N0} training points needs", matrix, "K⁰_DD and K⁰_DV",
                side, "the inputs and workspace", "the host has", available, "available (MemAvailable)", "use fewer training points");
        }
    }

    private static void CheckProvider(long count, IHostLinearAlgebra linearAlgebra, string subject)
    {
        if (count > linearAlgebra.MaxMatrixElements)
        {
            throw new NngpInputException(
                $"{subject}: {linearAlgebra.Name} holds at most {linearAlgebra.MaxMatrixElements:N0} values per matrix, {count:N0} are needed; {Solvers.Host.ManagedLinearAlgebra.LargeSizeFix}");
        }
    }
}
