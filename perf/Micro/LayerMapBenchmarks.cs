using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Simd;

namespace GpuNngp.Perf.Micro;

/// <summary>
/// The per-entry layer map on the CPU, one activation at a time: the scalar
/// <see cref="LayerRecursion.Entry{TNetwork, TDiagonal}"/> (every activation; quadrature where there is no closed form)
/// and the bundled <see cref="VectorLayerRecursion.Entry"/> at both widths the CPU map chooses
/// between (the activations with a vector form).
/// Times are per matrix entry (OperationsPerInvoke), for the whole depth.
/// </summary>
public static class LayerMapBenchmarks
{
    /// <summary>Entries mapped per benchmark invocation; the reported time is per entry.</summary>
    public const int Entries = 1024;

    /// <summary>Runs BenchmarkDotNet in process (no separate build); every benchmark unless a --filter is given.</summary>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10);
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max)
            .AddExporter(MarkdownExporter.GitHub, JsonExporter.Brief)
            .WithArtifactsPath(Path.Combine("artifacts", "perf", "micro"));
        string[] arguments = args.Any(a => a is "--filter" or "-f" or "--list" or "--help") ? args : [.. args, "--filter", "*"];
        var summaries = BenchmarkSwitcher.FromTypes([typeof(ScalarEntry), typeof(VectorEntry), typeof(QuadratureEntry), typeof(SliceReluEntry)]).Run(arguments, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }

    /// <summary>The network, K⁰ entries and per-point variances one benchmark maps.</summary>
    internal sealed class Workload
    {
        public Workload(string activation, int depth, int quadratureOrder = QuadratureRules.DefaultOrder)
        {
            var layer = Nngp.ActivationByName(activation);
            var dense = new DenseVariances(1.45, 0.28);
            Network = new HostNetworkView(
                dense,
                Enumerable.Repeat(new HiddenLayer(layer.Activation, dense), depth).ToArray(),
                QuadratureRules.Get(quadratureOrder));

            // Standardised inputs: q⁰ = 1 for every point; K⁰ between distinct points is a correlation.
            var random = new Random(7);
            Gram = new double[Entries];
            for (int i = 0; i < Entries; i++)
            {
                Gram[i] = 1.8 * random.NextDouble() - 0.9;
            }

            Variances = new double[depth * Entries];
            var chain = new double[depth];
            LayerRecursion.Diagonal(Network, 1.0, chain);
            for (int l = 0; l < depth; l++)
            {
                Array.Fill(Variances, chain[l], l * Entries, Entries);
            }
        }

        public HostNetworkView Network { get; }

        public double[] Gram { get; }

        public double[] Variances { get; }
    }

    [Config(typeof(EntryColumns))]
    public class ScalarEntry
    {
        private Workload? _workload;

        [Params("relu", "leaky-relu", "abs", "identity", "erf", "gelu", "tanh", "softplus", "sigmoid", "swish")]
        public string Activation { get; set; } = "relu";

        [Params(1, 3)]
        public int Depth { get; set; } = 3;

        [GlobalSetup]
        public void Setup() => _workload = new Workload(Activation, Depth);

        [Benchmark(OperationsPerInvoke = Entries)]
        public double Scalar()
        {
            var w = _workload!;
            var network = w.Network;
            var diagonal = new HostDiagonalView(w.Variances, Entries);
            double sum = 0;
            for (int i = 0; i < Entries; i++)
            {
                sum += LayerRecursion.Entry(network, w.Gram[i], diagonal, i, diagonal, (i * 7) & (Entries - 1), KernelKind.Nngp);
            }

            return sum;
        }
    }

    [Config(typeof(EntryColumns))]
    public class VectorEntry
    {
        private Workload? _workload;

        [Params("relu", "leaky-relu", "abs", "identity", "erf")]
        public string Activation { get; set; } = "relu";

        [Params(1, 3)]
        public int Depth { get; set; } = 3;

        [GlobalSetup]
        public void Setup() => _workload = new Workload(Activation, Depth);

        [Benchmark(OperationsPerInvoke = Entries, Baseline = true)]
        public double TwoVector256() => Sum<Vector256Pair>();

        [Benchmark(OperationsPerInvoke = Entries)]
        public double TwoVector512() => Sum<Vector512Pair>();

        private double Sum<T>()
            where T : struct, ISimdLanes<T>
        {
            var w = _workload!;
            var network = w.Network;
            var sum = T.Broadcast(0);
            for (int i = 0; i < Entries; i += T.Count)
            {
                sum += VectorLayerRecursion.Entry(network, T.Load(w.Gram, i), w.Variances, Entries, i, w.Variances, Entries, (i * 7) & (Entries - 1), KernelKind.Nngp);
            }

            return Enumerable.Range(0, T.Count).Sum(sum.Lane);
        }
    }

    /// <summary>
    /// One quadrature entry, F only (the NNGP's layer map): the Gauss–Hermite opt-in of order 64 (the
    /// default before 2026-12-01) beside the default graded Gauss–Legendre rule, at pre-activation
    /// variance 1 and 100, side by side in one run. Correlations c ∈ [−0.9, 0.9], equal variances.
    /// </summary>
    [Config(typeof(EntryColumns))]
    public class QuadratureEntry
    {
        private const int Count = 16;
        private HostNetworkView _network;
        private double[] _k12 = [];

        [Params("gauss-hermite-64", "graded-gauss-legendre")]
        public string Rule { get; set; } = "graded-gauss-legendre";

        [Params("tanh", "softplus", "sigmoid", "swish")]
        public string Activation { get; set; } = "tanh";

        [Params(1.0, 100.0)]
        public double Variance { get; set; } = 1;

        [GlobalSetup]
        public void Setup()
        {
            var layer = Nngp.ActivationByName(Activation);
            int order = Rule == "gauss-hermite-64" ? 64 : QuadratureRules.DefaultOrder;
            _network = new HostNetworkView(
                new DenseVariances(1, 0), [new HiddenLayer(layer.Activation, new DenseVariances(1, 0))], QuadratureRules.Get(order));
            var random = new Random(7);
            _k12 = Enumerable.Range(0, Count).Select(_ => Variance * (1.8 * random.NextDouble() - 0.9)).ToArray();
        }

        [Benchmark(OperationsPerInvoke = Count)]
        public double Entry()
        {
            double sum = 0;
            foreach (double k12 in _k12)
            {
                sum += DualQuadrature.Evaluate(_network, 0, k12, Variance, Variance, withDerivative: false).F;
            }

            return sum;
        }
    }

    /// <summary>Adds the entries-per-second figure the sweep's layer-map rate can be compared with.</summary>
    public sealed class EntryColumns : ManualConfig
    {
        public EntryColumns() => AddColumn(new EntriesPerSecondColumn());
    }

    private sealed class EntriesPerSecondColumn : IColumn
    {
        public string Id => "EntriesPerSecond";

        public string ColumnName => "Mentries/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Statistics;

        public int PriorityInCategory => 10;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Million matrix entries per second on one thread (whole depth), from the median";

        public string GetValue(BenchmarkDotNet.Reports.Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) =>
            GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(BenchmarkDotNet.Reports.Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary?[benchmarkCase];
            double? nanoseconds = report?.ResultStatistics?.Median;
            return nanoseconds is > 0 ? (1e3 / nanoseconds.Value).ToString("G3", System.Globalization.CultureInfo.InvariantCulture) : "–";
        }

        public bool IsDefault(BenchmarkDotNet.Reports.Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(BenchmarkDotNet.Reports.Summary summary) => true;
    }
}
