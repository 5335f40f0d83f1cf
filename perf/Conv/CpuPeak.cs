using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuNngp.Perf.Conv;

/// <summary>
/// The CPU's FP64 peak, derived: cores × clock × 2 FMA units × lanes × 2 flops (lanes: 8 doubles
/// with AVX-512, 4 with AVX2; two FMA units per core assumed, as on the Xeon Scalable server parts),
/// the clock from cpufreq's maximum or else /proc/cpuinfo's "cpu MHz" (a VM reports its nominal
/// clock there). <see cref="MeasureGflops"/> is the check: a tight FMA loop on every core.
/// </summary>
public static class CpuPeak
{
    /// <summary>The derived peak in GFLOP/s and how it was derived, or null without a clock figure.</summary>
    public static (double Gflops, string Source)? Derive()
    {
        double? mhz = MaxFrequencyMHz();
        if (mhz is not { } clock)
        {
            return null;
        }

        int lanes = Vector512.IsHardwareAccelerated ? 8 : Vector256.IsHardwareAccelerated ? 4 : 2;
        int cores = Environment.ProcessorCount;
        double gflops = cores * clock / 1000 * 2 * lanes * 2;
        return (gflops, string.Create(CultureInfo.InvariantCulture,
            $"derived: {cores} cores × {clock / 1000:F2} GHz × 2 FMA units × {lanes} lanes × 2 flops"));
    }

    /// <summary>
    /// FP64 GFLOP/s of independent FMA chains (8 in Vector512 registers with AVX-512, else 10 in
    /// Vector256 ones: enough to cover the FMA latency of both units), one thread per core, for
    /// about <paramref name="seconds"/>: what the cores deliver now (less on a shared machine, more
    /// than the derived figure where the clock boosts past the nominal one); null without AVX2.
    /// </summary>
    public static double? MeasureGflops(double seconds = 0.3)
    {
        bool wide = Vector512.IsHardwareAccelerated;
        if (!wide && !Vector256.IsHardwareAccelerated)
        {
            return null;
        }

        int threads = Environment.ProcessorCount;
        // Each thread's own rate over its own window, summed: the threads start a little apart.
        var rates = new double[threads];
        long ticks = (long)(seconds * Stopwatch.Frequency);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            Func<double, double> burst = wide ? Burst512 : Burst256;
            _ = burst(1); // compiled before the window opens
            long start = Stopwatch.GetTimestamp();
            double flops = Until(ticks, burst);
            rates[t] = flops / Stopwatch.GetElapsedTime(start).TotalSeconds;
        });
        return rates.Sum() / 1e9;
    }

    /// <summary>
    /// Flops of <paramref name="run"/>'s FMA bursts until <paramref name="ticks"/> have passed. The
    /// clock is read between bursts, never inside one: the System V ABI saves no vector register
    /// across a call, so a call in the loop would keep the chains in memory (measured a third of the
    /// rate on the 2-core AMD EPYC, 2026-12-02).
    /// </summary>
    private static double Until(long ticks, Func<double, double> run)
    {
        long end = Stopwatch.GetTimestamp() + ticks;
        double flops = 0, seed = 0.999999;
        while (Stopwatch.GetTimestamp() < end)
        {
            double before = flops;
            flops += run(seed);
            seed = 0.999999 + (1e-12 * (flops - before));
        }

        return flops;
    }

    /// <summary>4096 rounds of 8 independent Vector512 FMA chains; the flops done (the chains' sum kept alive).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Burst512(double seed)
    {
        var m = Vector512.Create(seed);
        var c = Vector512.Create(1e-7);
        Vector512<double> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m;
        for (int i = 0; i < 4096; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c);
            a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c);
            a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c);
            a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c);
            a7 = Vector512.FusedMultiplyAdd(a7, m, c);
        }

        GC.KeepAlive(Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7));
        return 4096 * 8.0 * Vector512<double>.Count * 2;
    }

    /// <summary>4096 rounds of 10 independent Vector256 FMA chains; the flops done.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Burst256(double seed)
    {
        var m = Vector256.Create(seed);
        var c = Vector256.Create(1e-7);
        Vector256<double> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m, a8 = m, a9 = m;
        for (int i = 0; i < 4096; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c);
            a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c);
            a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c);
            a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c);
            a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c);
            a9 = Vector256.FusedMultiplyAdd(a9, m, c);
        }

        GC.KeepAlive(Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9));
        return 4096 * 10.0 * Vector256<double>.Count * 2;
    }

    private static double? MaxFrequencyMHz()
    {
        try
        {
            const string cpufreq = "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq";
            if (File.Exists(cpufreq) && double.TryParse(File.ReadAllText(cpufreq).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double khz))
            {
                return khz / 1000;
            }

            string? line = File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal))
                : null;
            return line is not null && double.TryParse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double mhz)
                ? mhz
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
