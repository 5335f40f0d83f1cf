using BenchmarkDotNet.Attributes;
using GpuNngp.Engine.Spatial;
using GpuNngp.Kernels.Simd;

namespace GpuNngp.Perf.Micro;

/// <summary>
/// The spatial kernel's ReLU closed form (<see cref="SliceClosedForms.AbRelu"/>) on the lanes this
/// CPU runs FP64 pairs in (<see cref="Vector512Pair"/> with AVX-512, else <see cref="Vector256Pair"/>),
/// and its two costly parts each both ways: √y and n/d from the divider and by Newton steps from
/// the hardware's estimates (<see cref="SliceClosedForms.SqrtByNewton"/>,
/// <see cref="SliceClosedForms.QuotientByNewton"/>), the measurement behind each lane type's
/// <see cref="ILaneMath{TSelf}.EstimatesBeatDivider"/>. Times are per lane (OperationsPerInvoke);
/// 32 positions of a slice row, in L1, as the worker's loops see them.
/// </summary>
public class SliceReluEntry
{
    private const int Positions = 32;
    private static readonly bool Wide = Vector512Pair.IsHardwareAccelerated;
    private static readonly int L = Wide ? Vector512Pair.Count : Vector256Pair.Count;
    private double[] _k = [];
    private double[] _norm = [];
    private double[] _inverse = [];
    private double[] _f = [];
    private double[] _fDot = [];

    /// <summary>Lanes per invocation: the reported time is per lane.</summary>
    public const int Lanes = Positions * 16;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        int length = Positions * L;
        (_k, _norm, _inverse, _f, _fDot) = (new double[length], new double[length], new double[length], new double[length], new double[length]);
        for (int i = 0; i < length; i++)
        {
            double q1 = random.NextDouble() + 0.5, q2 = random.NextDouble() + 0.5;
            _norm[i] = Math.Sqrt(q1 * q2);
            _inverse[i] = 1 / _norm[i];
            _k[i] = ((2 * random.NextDouble()) - 1) * _norm[i];
        }
    }

    [Benchmark(OperationsPerInvoke = Lanes, Baseline = true)]
    public double ClosedForm() => Wide ? Form<Vector512Pair>() : Form<Vector256Pair>();

    [Benchmark(OperationsPerInvoke = Lanes)]
    public double RootByDivider() => Wide ? Root<Vector512Pair>(newton: false) : Root<Vector256Pair>(newton: false);

    [Benchmark(OperationsPerInvoke = Lanes)]
    public double RootByNewton() => Wide ? Root<Vector512Pair>(newton: true) : Root<Vector256Pair>(newton: true);

    [Benchmark(OperationsPerInvoke = Lanes)]
    public double QuotientByDivider() => Wide ? Quotient<Vector512Pair>(newton: false) : Quotient<Vector256Pair>(newton: false);

    [Benchmark(OperationsPerInvoke = Lanes)]
    public double QuotientByNewton() => Wide ? Quotient<Vector512Pair>(newton: true) : Quotient<Vector256Pair>(newton: true);

    // Each loop covers Lanes lanes: the arrays' 32 positions once (16 lanes each) or twice (8).
    private double Form<T>()
        where T : struct, ISimdLanes<T>
    {
        for (int at = 0; at < Lanes; at += T.Count)
        {
            int i = at % _k.Length;
            (T f, T fDot) = SliceClosedForms.AbRelu(0, 1, T.Load(_k, i), T.Load(_norm, i), T.Load(_inverse, i));
            f.Store(_f, i);
            fDot.Store(_fDot, i);
        }

        return _f[0];
    }

    private double Root<T>(bool newton)
        where T : struct, ISimdLanes<T>
    {
        for (int at = 0; at < Lanes; at += T.Count)
        {
            int i = at % _k.Length;
            T y = T.Load(_norm, i);
            (newton ? SliceClosedForms.SqrtByNewton(y) : T.Sqrt(y)).Store(_f, i);
        }

        return _f[0];
    }

    /// <summary>K/(2√(q_i q_j)): a denominator in [1, 3], as the form's (QuotientByNewton wants d ≥ 1).</summary>
    private double Quotient<T>(bool newton)
        where T : struct, ISimdLanes<T>
    {
        for (int at = 0; at < Lanes; at += T.Count)
        {
            int i = at % _k.Length;
            T n = T.Load(_k, i), d = T.Load(_norm, i);
            d += d;
            (newton ? SliceClosedForms.QuotientByNewton(n, d) : n / d).Store(_f, i);
        }

        return _f[0];
    }
}
