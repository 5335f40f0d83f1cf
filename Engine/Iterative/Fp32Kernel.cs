using System.Numerics;
using System.Runtime.InteropServices;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Iterative;

/// <summary>
/// K_DD made once and stored in FP32 in host memory (4·N² bytes, its diagonal kept apart in FP64),
/// each block widened to FP64 just before its product, so that the product itself is an FP64 gemm:
/// the only error is the storage's rounding, |K̃_ij − K_ij| ≤ 2⁻²⁴·|K_ij| off the diagonal, hence
/// |(Ã·v − A·v)_i| ≤ 2⁻²⁴·Σ_j |K_ij|·|v_j| plus FP64 rounding (docs/mathematics.md). Blocks are
/// widened a few columns at a time (about 4 MiB) so the FP64 copy stays in cache: a product reads
/// the FP32 kernel once.
/// </summary>
internal sealed class Fp32Kernel : KernelOperator
{
    /// <summary>Bytes of one widened block: small enough to stay in the last-level cache.</summary>
    private const long WidenedBytes = 4L << 20;

    /// <summary>The unit roundoff of FP32 round-to-nearest, 2⁻²⁴: the storage's relative error per entry.</summary>
    public const double StorageRoundoff = 1.0 / (1 << 24);

    private readonly List<float[]> _stored = [];
    private readonly int _widenedColumns;

    // The widened block and its provider copy, made on the first provider product (the CPU multiplies in place and never needs them).
    private ProviderBuffer? _widened;
    private double[] _widenedHost = [];

    private Fp32Kernel(IComputeProvider provider, TrainingTiles tiles, double noise)
        : base(provider, tiles, noise)
    {
        _widenedColumns = (int)Math.Clamp(WidenedBytes / sizeof(double) / tiles.N, 1, tiles.Width);
    }

    /// <summary>Bytes the stored kernel takes in a process that owns <paramref name="owned"/> of the N points: 4·N·owned (4·N² on one process).</summary>
    public static long StoredBytes(int n, int owned) => 4L * n * owned;

    /// <summary>Builds K_DD tile by tile and keeps it in FP32 (diagonal entries zero: the exact ones are added in FP64); cancellable between tiles.</summary>
    public static Fp32Kernel Store(
        IComputeProvider provider, TrainingTiles tiles, double noise, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        var kernel = new Fp32Kernel(provider, tiles, noise);
        try
        {
            int n = tiles.N;
            using var tile = provider.Allocate((long)n * tiles.Width, "a tile of K_DD");
            var host = new double[(long)n * tiles.Width];
            for (int t = 0; t < tiles.Count; t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (start, count) = tiles.Range(t);
                tiles.Build(start, count, tile, record: false);
                Span<double> values = host.AsSpan(0, checked((int)ColumnMajor.Count(n, count)));
                provider.CopyOut(tile, 0, values);
                var stored = new float[values.Length];
                for (int i = 0; i < values.Length; i++)
                {
                    stored[i] = (float)values[i];
                }

                for (int j = 0; j < count; j++)
                {
                    stored[ColumnMajor.Index(start + j, j, n)] = 0;
                }

                kernel._stored.Add(stored);
                progress?.Report(new StageProgress(Stage.LayerMap, (t + 1.0) / tiles.Count));
            }

            return kernel;
        }
        catch
        {
            kernel.Dispose();
            throw;
        }
    }

    protected override ReadOnlySpan<double> BlockDiagonal => [];

    /// <summary>On the CPU the stored blocks are multiplied where they are (<see cref="Fp32HostProduct"/>): no widened copy, no provider copy.</summary>
    protected override bool TryMultiplyOnHost(double[] v, int columns, double[] result, CancellationToken cancellationToken)
    {
        if (Provider is not Cpu.CpuProvider)
        {
            return false;
        }

        int n = Tiles.N;
        var parallelism = new ParallelOptions { CancellationToken = cancellationToken };
        for (int t = 0; t < _stored.Count; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (start, count) = Tiles.Range(t);
            Fp32HostProduct.Multiply(_stored[t], n, count, v, columns, result, n, start, parallelism);
        }

        return true;
    }

    protected override void ForEachBlock(Action<int, int, ProviderBuffer> product, CancellationToken cancellationToken)
    {
        int n = Tiles.N;
        if (_widened is null)
        {
            _widenedHost = new double[(long)n * _widenedColumns];
            _widened = Provider.Allocate(_widenedHost.Length, "a widened block of the FP32 kernel");
        }

        for (int t = 0; t < _stored.Count; t++)
        {
            var (start, count) = Tiles.Range(t);
            float[] stored = _stored[t];
            for (int first = 0; first < count; first += _widenedColumns)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int columns = Math.Min(_widenedColumns, count - first);
                int length = checked((int)ColumnMajor.Count(n, columns));
                Span<double> widened = _widenedHost.AsSpan(0, length);
                Widen(stored.AsSpan(checked((int)ColumnMajor.ColumnStart(first, n)), length), widened);
                Provider.CopyIn(_widened, widened);
                product(start + first, columns, _widened);
            }
        }
    }

    /// <summary>FP32 → FP64, exact, a vector at a time.</summary>
    private static void Widen(ReadOnlySpan<float> source, Span<double> target)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(source);
            Span<Vector<double>> widened = MemoryMarshal.Cast<double, Vector<double>>(target);
            for (int v = 0; v < vectors.Length; v++)
            {
                Vector.Widen(vectors[v], out widened[2 * v], out widened[(2 * v) + 1]);
            }

            i = vectors.Length * Vector<float>.Count;
        }

        for (; i < source.Length; i++)
        {
            target[i] = source[i];
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _widened?.Dispose();
            _stored.Clear();
        }

        base.Dispose(disposing);
    }
}
