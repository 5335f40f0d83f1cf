using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNngp.Engine.Iterative;

/// <summary>
/// R = K̃ᵀ·V for an FP32 block of K's columns held in host memory, without an FP64 copy of the block:
/// each FP32 column is widened to FP64 in registers, exactly, and multiplied into FP64 accumulators
/// (four right-hand sides at a time), so a product reads the stored kernel once (4 bytes per entry)
/// instead of widening it into a buffer, copying that and reading it again. The rows of V are taken
/// in chunks that stay in the L2 cache while a group of columns passes over them. Same arithmetic as
/// the FP64 gemm of the widened block up to the order of the sums (each an FP64 dot product).
/// </summary>
internal static class Fp32HostProduct
{
    /// <summary>Rows of V per chunk: 2,048 rows × 8 bytes × C right-hand sides (26 with 16 probes: 416 KiB, in L2).</summary>
    private const int RowChunk = 2048;

    /// <summary>Columns of K one worker takes: V's chunks are read once per group.</summary>
    private const int ColumnGroup = 256;

    /// <summary>
    /// <paramref name="result"/>[(c·<paramref name="resultRows"/>) + <paramref name="resultStart"/> + j] = Σ_i block[i + j·n]·v[i + c·n]
    /// for the <paramref name="count"/> columns j of <paramref name="block"/> (n × count, column-major FP32) and the <paramref name="columns"/> columns c of v (n × columns).
    /// </summary>
    public static void Multiply(
        float[] block, int n, int count, double[] v, int columns, double[] result, int resultRows, int resultStart, ParallelOptions parallelism)
    {
        int groups = (count + ColumnGroup - 1) / ColumnGroup;
        Parallel.For(0, groups, parallelism, group =>
        {
            int first = group * ColumnGroup, last = Math.Min(count, first + ColumnGroup);
            Span<double> sums = stackalloc double[8];
            for (int c = 0; c < columns; c++)
            {
                result.AsSpan(checked((int)(((long)c * resultRows) + resultStart + first)), last - first).Clear();
            }

            // Rows outer, right-hand sides inner: a chunk of a K column (8 KiB) is read from memory
            // once and stays in L1 while every group of four right-hand sides passes over it.
            for (int i0 = 0; i0 < n; i0 += RowChunk)
            {
                int rows = Math.Min(RowChunk, n - i0);
                int j = first;
                if (Avx512F.IsSupported)
                {
                    for (; j + 2 <= last; j += 2)
                    {
                        ReadOnlySpan<float> ka = block.AsSpan(checked((int)(((long)j * n) + i0)), rows);
                        ReadOnlySpan<float> kb = block.AsSpan(checked((int)(((long)(j + 1) * n) + i0)), rows);
                        for (int c0 = 0; c0 < columns; c0 += 4)
                        {
                            int width = Math.Min(4, columns - c0);
                            DotPairs(ka, kb, v, n, i0, c0, width, sums);
                            for (int c = 0; c < width; c++)
                            {
                                result[((long)(c0 + c) * resultRows) + resultStart + j] += sums[c];
                                result[((long)(c0 + c) * resultRows) + resultStart + j + 1] += sums[4 + c];
                            }
                        }
                    }
                }

                for (; j < last; j++)
                {
                    ReadOnlySpan<float> k = block.AsSpan(checked((int)(((long)j * n) + i0)), rows);
                    for (int c0 = 0; c0 < columns; c0 += 4)
                    {
                        int width = Math.Min(4, columns - c0);
                        Dots(k, v, n, i0, c0, width, sums);
                        for (int c = 0; c < width; c++)
                        {
                            result[((long)(c0 + c) * resultRows) + resultStart + j] += sums[c];
                        }
                    }
                }
            }
        });
    }

    /// <summary>
    /// Two columns at once with AVX-512 (vcvtps2pd widens eight floats into one 512-bit vector): sums[c] = Σ_r ka[r]·v_c[r], sums[4 + c] = Σ_r kb[r]·v_c[r]
    /// (v_c = rows i0… of column c0 + c of v), each load of v feeding two FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotPairs(ReadOnlySpan<float> ka, ReadOnlySpan<float> kb, double[] v, int n, int i0, int c0, int width, Span<double> sums)
    {
        int rows = ka.Length;
        var columns = new FourColumns(v, n, i0, c0, width, rows);
        Vector512<double> a0 = Vector512<double>.Zero, a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        ref float aRef = ref MemoryMarshal.GetReference(ka), bRef = ref MemoryMarshal.GetReference(kb);
        ref double r0 = ref MemoryMarshal.GetReference(columns.V0), r1 = ref MemoryMarshal.GetReference(columns.V1);
        ref double r2 = ref MemoryMarshal.GetReference(columns.V2), r3 = ref MemoryMarshal.GetReference(columns.V3);
        int r = 0;
        for (; r + 8 <= rows; r += 8)
        {
            var ax = Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref aRef, (nuint)r));
            var bx = Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref bRef, (nuint)r));
            var x0 = Vector512.LoadUnsafe(ref r0, (nuint)r);
            var x1 = Vector512.LoadUnsafe(ref r1, (nuint)r);
            var x2 = Vector512.LoadUnsafe(ref r2, (nuint)r);
            var x3 = Vector512.LoadUnsafe(ref r3, (nuint)r);
            a0 = Vector512.FusedMultiplyAdd(ax, x0, a0);
            a1 = Vector512.FusedMultiplyAdd(ax, x1, a1);
            a2 = Vector512.FusedMultiplyAdd(ax, x2, a2);
            a3 = Vector512.FusedMultiplyAdd(ax, x3, a3);
            b0 = Vector512.FusedMultiplyAdd(bx, x0, b0);
            b1 = Vector512.FusedMultiplyAdd(bx, x1, b1);
            b2 = Vector512.FusedMultiplyAdd(bx, x2, b2);
            b3 = Vector512.FusedMultiplyAdd(bx, x3, b3);
        }

        Tail(ka, columns, r, Vector512.Sum(a0), Vector512.Sum(a1), Vector512.Sum(a2), Vector512.Sum(a3), sums);
        Tail(kb, columns, r, Vector512.Sum(b0), Vector512.Sum(b1), Vector512.Sum(b2), Vector512.Sum(b3), sums[4..]);
    }

    /// <summary>sums[c] = Σ_r k[r]·v[(i0 + r) + (c0 + c)·n] for c below <paramref name="width"/> (≤ 4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots(ReadOnlySpan<float> k, double[] v, int n, int i0, int c0, int width, Span<double> sums)
    {
        int rows = k.Length;
        var columns = new FourColumns(v, n, i0, c0, width, rows);
        Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
        int r = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float kRef = ref MemoryMarshal.GetReference(k);
            ref double r0 = ref MemoryMarshal.GetReference(columns.V0), r1 = ref MemoryMarshal.GetReference(columns.V1);
            ref double r2 = ref MemoryMarshal.GetReference(columns.V2), r3 = ref MemoryMarshal.GetReference(columns.V3);
            for (; r + 8 <= rows; r += 8)
            {
                var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref kRef, (nuint)r));
                a0 = Vector256.FusedMultiplyAdd(low, Vector256.LoadUnsafe(ref r0, (nuint)r), a0);
                a1 = Vector256.FusedMultiplyAdd(low, Vector256.LoadUnsafe(ref r1, (nuint)r), a1);
                a2 = Vector256.FusedMultiplyAdd(low, Vector256.LoadUnsafe(ref r2, (nuint)r), a2);
                a3 = Vector256.FusedMultiplyAdd(low, Vector256.LoadUnsafe(ref r3, (nuint)r), a3);
                a0 = Vector256.FusedMultiplyAdd(high, Vector256.LoadUnsafe(ref r0, (nuint)(r + 4)), a0);
                a1 = Vector256.FusedMultiplyAdd(high, Vector256.LoadUnsafe(ref r1, (nuint)(r + 4)), a1);
                a2 = Vector256.FusedMultiplyAdd(high, Vector256.LoadUnsafe(ref r2, (nuint)(r + 4)), a2);
                a3 = Vector256.FusedMultiplyAdd(high, Vector256.LoadUnsafe(ref r3, (nuint)(r + 4)), a3);
            }
        }

        Tail(k, columns, r, Vector256.Sum(a0), Vector256.Sum(a1), Vector256.Sum(a2), Vector256.Sum(a3), sums);
    }

    /// <summary>sums[c] = s_c + Σ_{r ≥ from} k[r]·v_c[r]: the rows after the vector loop, one at a time.</summary>
    private static void Tail(ReadOnlySpan<float> k, FourColumns v, int from, double s0, double s1, double s2, double s3, Span<double> sums)
    {
        for (int r = from; r < k.Length; r++)
        {
            double kr = k[r];
            s0 += kr * v.V0[r];
            s1 += kr * v.V1[r];
            s2 += kr * v.V2[r];
            s3 += kr * v.V3[r];
        }

        sums[0] = s0;
        sums[1] = s1;
        sums[2] = s2;
        sums[3] = s3;
    }

    /// <summary>
    /// Rows i0 … i0 + rows of the (up to) four columns c0 … c0 + width of v (n × columns); a missing
    /// column repeats the first, whose sums the caller ignores.
    /// </summary>
    private readonly ref struct FourColumns
    {
        public FourColumns(double[] v, int n, int i0, int c0, int width, int rows)
        {
            V0 = v.AsSpan((c0 * n) + i0, rows);
            V1 = width > 1 ? v.AsSpan(((c0 + 1) * n) + i0, rows) : V0;
            V2 = width > 2 ? v.AsSpan(((c0 + 2) * n) + i0, rows) : V0;
            V3 = width > 3 ? v.AsSpan(((c0 + 3) * n) + i0, rows) : V0;
        }

        public ReadOnlySpan<double> V0 { get; }

        public ReadOnlySpan<double> V1 { get; }

        public ReadOnlySpan<double> V2 { get; }

        public ReadOnlySpan<double> V3 { get; }
    }
}
