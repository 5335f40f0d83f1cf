using System.Globalization;
using GpuNngp.Engine.Computation;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// The memory arithmetic of every provider, kept pure so tests check it at sizes they could never
/// allocate: what a fit, a kernel or an input-Gram cache takes, the refusal before any work of a size
/// that cannot fit (one line naming the bytes needed and available), and the test tile of a
/// prediction. The provider's <see cref="MemoryModel"/> supplies the constants. A fit counts the
/// whole N×N matrix although the first factorisation touches only its lower half, because a failed
/// one mirrors the kernel into the upper half before trying again with jitter.
/// </summary>
internal static class MemoryPlan
{
    /// <summary>The largest fixed test tile on the host: N×tile doubles of K_D* at a time.</summary>
    public const long HostTileBytes = 256L << 20;

    /// <summary>The share of a device's free memory a prediction tile may use.</summary>
    public const double TileShare = 0.9;

    /// <summary>An n×n matrix: 8·n² bytes.</summary>
    public static long SquareBytes(int n) => sizeof(double) * ColumnMajor.Count(n, n);

    /// <summary>Everything else a fit and its prediction keep: inputs, targets and α, the diagonals, per-layer variances, a host tile.</summary>
    public static long FitSideBytes(MemoryModel model, int n, int dimension, int outputs, int depth)
    {
        ArgumentNullException.ThrowIfNull(model);
        return sizeof(double) * (long)n * ((long)model.InputCopies * dimension + (long)model.OutputCopies * outputs + depth + model.DiagonalCopies)
            + (model.FixedTileBytes ?? 0) + model.Reserve;
    }

    /// <summary>The inputs and per-layer variances of a rows×columns kernel.</summary>
    public static long KernelSideBytes(MemoryModel model, int rows, int columns, int dimension, int depth)
    {
        ArgumentNullException.ThrowIfNull(model);
        return sizeof(double) * ((long)rows + columns) * ((long)model.InputCopies * dimension + depth + 1) + model.Reserve;
    }

    /// <summary>Refuses a fit of <paramref name="n"/> training points that the provider or its memory cannot hold.</summary>
    public static void CheckFit(MemoryModel model, long? availableBytes, int n, int dimension, int outputs, int depth)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckProvider(model, ColumnMajor.Count(n, n), Invariant($"N = {n:N0} training points"));
        long matrix = SquareBytes(n) * (1 + model.WorkingCopies);
        long side = FitSideBytes(model, n, dimension, outputs, depth);
        if (availableBytes is { } available && matrix + side > available)
        {
            throw MemoryRefusal.Error(
                Invariant($"N = {n:N0} training points need"), matrix, model.WorkingCopies == 0 ? "K_DD" : "K_DD and the managed provider's copy of it",
                side, "X, the targets and workspace", model.Holder + " has", available, model.Availability, Remedy(model, "use fewer training points"));
        }
    }

    /// <summary>
    /// Refuses a rows×columns kernel that cannot fit where it is computed, or (with
    /// <paramref name="hostCopies"/> host copies of it) in the host memory it comes back to.
    /// </summary>
    public static void CheckKernel(MemoryModel model, long? availableBytes, long? hostAvailableBytes, int rows, int columns, int dimension, int depth, int hostCopies)
    {
        ArgumentNullException.ThrowIfNull(model);
        long count = ColumnMajor.Count(rows, columns);
        CheckProvider(model, count, Invariant($"a {rows:N0}×{columns:N0} kernel"));
        int copiesHere = model.KernelLeavesDevice ? 1 : hostCopies;
        long matrix = sizeof(double) * count * (copiesHere + model.WorkingCopies);
        long side = KernelSideBytes(model, rows, columns, dimension, depth);
        if (availableBytes is { } available && matrix + side > available)
        {
            throw MemoryRefusal.Error(
                Invariant($"a {rows:N0}×{columns:N0} kernel needs"), matrix, copiesHere == 1 ? "the matrix" : "the matrix and its MathNet copy",
                side, "the inputs and workspace", model.Holder + " has", available, model.Availability, Remedy(model, "use fewer points"));
        }

        long hostBytes = sizeof(double) * count * hostCopies;
        if (model.KernelLeavesDevice && hostAvailableBytes is { } host && hostBytes > host)
        {
            throw new NngpInputException(Invariant(
                $"a {rows:N0}×{columns:N0} kernel needs {hostBytes / 1e9:F1} GB of host memory to come back from {model.Holder} but the host has {host / 1e9:F1} GB available (MemAvailable); use fewer points"));
        }
    }

    /// <summary>Refuses an input-Gram cache of n training and v validation points that cannot fit.</summary>
    public static void CheckInputGram(MemoryModel model, long? availableBytes, int n, int validation, int dimension)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckProvider(model, ColumnMajor.Count(n, n), Invariant($"N = {n:N0} training points"));
        long matrix = SquareBytes(n) + sizeof(double) * ColumnMajor.Count(n, validation);
        long side = KernelSideBytes(model, n, validation, dimension, 0);
        if (availableBytes is { } available && matrix + side > available)
        {
            throw MemoryRefusal.Error(
                Invariant($"caching the input Gram of N = {n:N0} training points needs"), matrix, "K⁰_DD and K⁰_DV",
                side, "the inputs and workspace", model.Holder + " has", available, model.Availability, Remedy(model, "use fewer training points"));
        }
    }

    /// <summary>Bytes one test point costs in a prediction tile: its K_D* column, its inputs, mean, diagonals and variance.</summary>
    public static long BytesPerTestPoint(int n, int dimension, int outputs, int depth) =>
        sizeof(double) * ((long)n + dimension + outputs + depth + 2);

    /// <summary>
    /// Test points per tile, at least one and at most <paramref name="testCount"/>: as many K_D*
    /// columns as the host's fixed tile holds, or as <see cref="TileShare"/> of a device's free memory
    /// (less its reserve) holds; the error when not even one fits on the device.
    /// </summary>
    public static int TestTile(MemoryModel model, long? availableBytes, int n, int dimension, int outputs, int depth, int testCount)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.FixedTileBytes is { } fixedBytes)
        {
            return (int)Math.Clamp(fixedBytes / (sizeof(double) * (long)n), 1, Math.Max(1, testCount));
        }

        long free = availableBytes ?? long.MaxValue;
        long perPoint = BytesPerTestPoint(n, dimension, outputs, depth);
        long usable = (long)(TileShare * Math.Max(0, free - model.Reserve));
        long tile = usable / perPoint;
        if (tile < 1)
        {
            throw new NngpInputException(Invariant(
                $"predicting with N = {n:N0} needs {MemoryRefusal.Gigabytes(perPoint + model.Reserve)} for one test point but {model.Holder} has {MemoryRefusal.Gigabytes(free)} {model.Availability}"));
        }

        return (int)Math.Min(tile, Math.Max(1, testCount));
    }

    /// <summary>
    /// Refuses the M×M posterior covariance of <paramref name="m"/> test points that cannot fit: beside the
    /// prediction's tiles it keeps L⁻¹K_D* of every test point (n×M) and two M×M matrices where the
    /// provider computes, and comes back as a MathNet matrix.
    /// </summary>
    public static void CheckCovariance(MemoryModel model, long? availableBytes, int n, int m)
    {
        ArgumentNullException.ThrowIfNull(model);
        long square = ColumnMajor.Count(m, m);
        CheckProvider(model, Math.Max(ColumnMajor.Count(n, m), square), Invariant($"the covariance of M = {m:N0} test points"));
        if (square > Array.MaxLength)
        {
            throw new NngpInputException(Invariant(
                $"the covariance of M = {m:N0} test points has {square:N0} entries, more than a MathNet matrix holds ({Array.MaxLength:N0}); predict fewer points at a time, or only their variances"));
        }

        long matrix = sizeof(double) * (ColumnMajor.Count(n, m) + 2 * square);
        if (availableBytes is { } available && matrix + model.Reserve > available)
        {
            throw MemoryRefusal.Error(
                Invariant($"the covariance of M = {m:N0} test points needs"), matrix, "L⁻¹K_D* and the M×M matrices",
                model.Reserve, "workspace", model.Holder + " has", available, model.Availability, "predict fewer points at a time, or only their variances");
        }
    }

    private static void CheckProvider(MemoryModel model, long count, string subject)
    {
        if (count > model.MaxMatrixElements)
        {
            throw new NngpInputException(Invariant(
                $"{subject}: {model.ProviderName} holds at most {model.MaxMatrixElements:N0} values per matrix, {count:N0} are needed; {model.LargeSizeRemedy}"));
        }
    }

    private static string Remedy(MemoryModel model, string fewer) =>
        model.OtherDeviceRemedy.Length == 0 ? fewer : $"{fewer} or {model.OtherDeviceRemedy}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
