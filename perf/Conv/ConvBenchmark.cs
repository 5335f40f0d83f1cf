using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using GpuNngp.Experiments.Evaluation;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Perf.Conv;

/// <summary>
/// Times <c>NngpEngine.Kernel(network, X, X2, kind)</c> for each case: <see cref="ConvOptions.Warmups"/>
/// discarded runs on the case's quick size (JIT, plan compilation), then <see cref="ConvOptions.Repeats"/> timed ones, wall
/// clock around the call, the median reported.
/// </summary>
public sealed class ConvBenchmark(ConvOptions options, TextWriter log)
{
    /// <summary>The counting rules, as the report states them.</summary>
    public static IReadOnlyList<string> Counting { get; } =
    [
        "Each case computes a rectangle K(X, X2): X has n images (a multiple of 16, the pairs one AVX-512 bundle holds), X2 has m.",
        "Entries = n·m, the pairs computed; the engine also runs each of the n + m points once on its own (its pixel variances), and that time is included: ms per entry = median seconds / (n·m), Neural Tangents' measure.",
        "On the CPU the pairs go L = 16 per bundle (8 with AVX2), twice that with --precision fp32 (float lanes; the points' own runs stay FP64, 16 per bundle): ⌈n/L⌉·m pair bundles and ⌈n/L⌉ + ⌈m/L⌉ own-run bundles. A point's own run computes the slices of a pair's run (half of them with GlobalAvgPool: slice −d of a point with itself is slice d transposed), so an own-run bundle costs one pair bundle (half with GlobalAvgPool): ms per entry without the own runs (the cost per entry of a large N × N kernel, where they are a vanishing share) is estimated as ms per entry × pair bundles / (pair bundles + own-run bundles × that share). The goals are judged on the measured ms per entry.",
        "Flops per run (pair or own run, the same slices) from Engine/Spatial/SliceWorker.cs: a useful +, −, ×, ÷, √ is one flop, min/max/select none; input 2C per slice position; conv 3×3: (taps − 1) adds per output in the column pass and in the row pass, then σb² + σw²·sum (2), NTK twice that (Θ′ = K′ + σw²·W(Θ̃)); ReLU closed form 69 with AVX-512 (SliceClosedForms.AbRelu, divider-free: Newton steps from the 14-bit estimates), 42 with AVX2 (the divider's root and quotient, 1 flop each), NTK + 1 (Ḟ·Θ); the pixels' roots √q, 1/√q are made once per point, not counted; readout 1 add per position per K/Θ. Positions: P per layer with Flatten (the diagonal slice), P² with GlobalAvgPool (every offset slice). Pooling and circular convs are not modelled (no flop figure).",
        "GFLOP/s = (n·m + (n + m) · own-run share) · flops per run / median seconds (useful runs: the idle lanes of a partly filled bundle are not counted); the fraction is of the device's FP64 peak (the CPU's derived from its clock, a GPU's FP64 vector peak from gpu-peaks.json).",
    ];

    private readonly ConvOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly TextWriter _log = log ?? throw new ArgumentNullException(nameof(log));

    public ConvReport Run()
    {
        long started = Stopwatch.GetTimestamp();
        var loadStart = Harness.LoadAverage();
        if (loadStart is { } load && load[0] > Environment.ProcessorCount + 0.5)
        {
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warning: load average {load[0]:F2} on {Environment.ProcessorCount} cores: other work shares this machine, timings will be noisy"));
        }

        var cases = ConvCases.Select(_options.Cases);
        bool gpu = _options.Device == "gpu";
        using var engine = NngpEngine.Create(gpu ? DeviceKind.Gpu : DeviceKind.Cpu);
        (double? peak, string source) = Peak(gpu, engine.Backend);
        double? measured = gpu ? null : CpuPeak.MeasureGflops();
        _log.WriteLine($"GpuNngp.Perf conv{(_options.Quick ? " --quick" : "")}: {engine.Backend}; FP64 peak {Format(peak, "F0")} GFLOP/s ({source}){(measured is { } m ? string.Create(CultureInfo.InvariantCulture, $"; FMA loop {m:F0} GFLOP/s") : "")}");
        var results = new List<ConvCaseResult>();
        foreach (var benchmarkCase in cases)
        {
            ConvCaseResult? fp64 = null;
            Matrix<double>? fp64Kernel = null;
            foreach ((var caseResult, var kernel) in Measure(engine, benchmarkCase, gpu, peak))
            {
                var result = caseResult;
                string precision = result.Precision;
                if (precision == "fp64")
                {
                    (fp64, fp64Kernel) = (result, kernel);
                }
                else if (fp64Kernel is not null && kernel is not null && fp64 is not null)
                {
                    result = Versus(result, fp64) with { MaxRelativeErrorVsFp64 = MaxRelativeError(fp64Kernel, kernel) };
                }

                results.Add(result);
                _log.WriteLine(result.Error is { } error
                    ? $"{result.Name,-24} {precision} error: {error}"
                    : string.Create(CultureInfo.InvariantCulture,
                        $"{result.Name,-24} {precision} {result.Rows,4}×{result.Columns,-4} {result.MedianSeconds,8:F3} s  {result.MsPerEntry,10:G4} ms/entry  {result.EntriesPerSecond,10:G4} entries/s  {Format(result.Gflops, "F1"),7} GFLOP/s{Goal(result)}{Versus(result)}"));
            }
        }

        return new ConvReport
        {
            Date = DateTimeOffset.UtcNow,
            Command = _options.Command,
            Quick = _options.Quick,
            Machine = ClassificationExperiment.MachineDescription(),
            LoadAverageStart = loadStart,
            LoadAverageEnd = Harness.LoadAverage(),
            Device = _options.Device,
            Backend = engine.Backend,
            Repeats = _options.Repeats,
            Warmups = _options.Warmups,
            PeakGflops = peak,
            PeakSource = source,
            MeasuredFmaGflops = measured,
            Counting = Counting,
            Cases = results,
            WallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
        };
    }

    /// <summary>
    /// The case in each of the options' precisions on the same images: the warm-ups of each, then
    /// the timed runs interleaved (FP64, FP32, FP64, …), so that a change in the machine's load
    /// falls on both alike; each result with its last timed run's kernel (null when it failed).
    /// </summary>
    private List<(ConvCaseResult Result, Matrix<double>? Kernel)> Measure(NngpEngine engine, ConvCase benchmarkCase, bool gpu, double? peak)
    {
        ConvSize size = benchmarkCase.Size(_options.Quick);
        size = size with { Rows = _options.Rows ?? size.Rows, Columns = _options.Columns ?? size.Columns };
        int n = size.Rows, m = size.Columns;
        Network network = benchmarkCase.On(size);
        int features = size.Height * size.Width * benchmarkCase.Channels;
        var random = new Random(_options.Seed);
        var x1 = Images(random, n, features);
        var x2 = Images(random, m, features);
        var runs = _options.Precisions.Select(precision =>
        {
            bool single = precision == "fp32";
            int lanes = single ? 2 * OwnLanes : OwnLanes;
            long rowBundles = (n + lanes - 1) / lanes, ownBundles = OwnBundles(n, m);
            var result = new ConvCaseResult
            {
                Name = benchmarkCase.Name,
                Group = benchmarkCase.Group,
                Description = benchmarkCase.Description,
                Input = $"{size.Height}×{size.Width}×{benchmarkCase.Channels}",
                Kind = benchmarkCase.Kind == KernelKind.Ntk ? "ntk" : "nngp",
                Readout = benchmarkCase.Readout,
                Precision = precision,
                Rows = n,
                Columns = m,
                Entries = (long)n * m,
                OwnRuns = n + m,
                CpuBundles = gpu ? null : (rowBundles * m) + ownBundles,
                Reference = benchmarkCase.Reference,
            };
            var options = new KernelOptions { Kind = benchmarkCase.Kind, Precision = single ? KernelPrecision.Single : KernelPrecision.Double };
            return new PrecisionRun(result, options, rowBundles * m, OwnWork(benchmarkCase.Readout) * ownBundles);
        }).ToList();

        try
        {
            // The warm-up compiles the code (JIT, plan): the quick size runs the same methods in a fraction of the time.
            ConvSize small = benchmarkCase.Quick;
            var warmup = benchmarkCase.On(small);
            int smallFeatures = small.Height * small.Width * benchmarkCase.Channels;
            foreach (var run in runs)
            {
                for (int w = 0; w < _options.Warmups; w++)
                {
                    engine.Kernel(warmup, Images(random, small.Rows, smallFeatures), Images(random, small.Columns, smallFeatures), run.Options);
                }
            }

            for (int r = 0; r < _options.Repeats; r++)
            {
                foreach (var run in runs)
                {
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
                    long start = Stopwatch.GetTimestamp();
                    TimeSpan cpu = Environment.CpuUsage.TotalTime;
                    run.Kernel = engine.Kernel(network, x1, x2, run.Options);
                    run.Seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
                    run.CpuSeconds.Add((Environment.CpuUsage.TotalTime - cpu).TotalSeconds);
                }
            }
        }
        catch (NngpException e)
        {
            return [.. runs.Select(run => (run.Result with { Error = e.Message }, (Matrix<double>?)null))];
        }

        // The CPU's ReLU form is this machine's lanes'; the device kernel's scalar closed form is
        // counted as the divider-free one (the count its figures have been given from the start).
        double? flops = StencilFlops.PerRun(network, size.Height, size.Width, benchmarkCase.Channels, benchmarkCase.Kind == KernelKind.Ntk, gpu ? StencilFlops.DividerFreeReluFlops : null);
        var reference = benchmarkCase.Reference;
        // The goals are for the case's own images; --quick shrinks them.
        double? goal = _options.Quick ? null : gpu ? reference?.GpuGoalMs : reference?.CpuGoalMs;
        double? fractionGoal = gpu && !_options.Quick ? reference?.GpuPeakFractionGoal : null;
        return [.. runs.Select(run =>
        {
            var result = run.Result;
            double median = Statistics.Median(run.Seconds);
            double? gflops = flops * (result.Entries + (OwnWork(result.Readout) * result.OwnRuns)) / median / 1e9;
            double msPerEntry = 1000 * median / result.Entries;
            double? fraction = gflops / peak;
            return (result with
            {
                Seconds = run.Seconds,
                MedianSeconds = median,
                CpuSeconds = run.CpuSeconds,
                MedianCpuSeconds = Statistics.Median(run.CpuSeconds),
                MsPerEntry = msPerEntry,
                EntriesPerSecond = result.Entries / median,
                PairMsPerEntry = result.CpuBundles is not null && result.Precision == "fp64" ? msPerEntry * run.PairBundles / (run.PairBundles + run.OwnWork) : null,
                FlopsPerRun = flops,
                Gflops = gflops,
                PeakFraction = fraction,
                GoalMet = goal is { } g ? msPerEntry <= g : null,
                PeakGoalMet = fractionGoal is { } f && fraction is { } x ? x >= f : null,
            }, run.Kernel);
        })];
    }

    /// <summary>One precision's measurement of a case while it is taken.</summary>
    private sealed record PrecisionRun(ConvCaseResult Result, KernelOptions Options, long PairBundles, double OwnWork)
    {
        public List<double> Seconds { get; } = [];

        public List<double> CpuSeconds { get; } = [];

        public Matrix<double>? Kernel { get; set; }
    }

    /// <summary>
    /// An FP32 result against its FP64 twin: the speed-ups, and its pairs-only ms per entry with its
    /// own runs (FP64 bundles) priced at the FP64 run's wall seconds per bundle (CPU only).
    /// </summary>
    private static ConvCaseResult Versus(ConvCaseResult fp32, ConvCaseResult fp64)
    {
        fp32 = fp32 with { SpeedupVsFp64 = fp64.MedianSeconds / fp32.MedianSeconds, CpuSpeedupVsFp64 = fp64.MedianCpuSeconds / fp32.MedianCpuSeconds };
        if (fp32.CpuBundles is not { } bundles32 || fp64.CpuBundles is not { } bundles64)
        {
            return fp32;
        }

        long own = OwnBundles(fp64.Rows, fp64.Columns);
        long pairs32 = bundles32 - own, pairs64 = bundles64 - own;
        double ownWork = OwnWork(fp64.Readout) * own;
        double ownWall = fp64.MedianSeconds / (pairs64 + ownWork) * ownWork, ownCpu = fp64.MedianCpuSeconds / (pairs64 + ownWork) * ownWork;
        double pairCpu32 = fp32.MedianCpuSeconds - ownCpu, pairCpu64 = fp64.MedianCpuSeconds - ownCpu;
        return fp32 with
        {
            PairMsPerEntry = 1000 * (fp32.MedianSeconds - ownWall) / fp32.Entries,
            PairSpeedupVsFp64 = pairs32 > 0 && pairCpu32 > 0 ? pairCpu64 / pairCpu32 : null,
        };
    }

    /// <summary>FP64 lanes per CPU bundle, the points' own runs' whatever the precision (16 with AVX-512, else 8).</summary>
    private static int OwnLanes => Vector512.IsHardwareAccelerated ? 16 : 8;

    /// <summary>The own-run bundles of an n × m rectangle: each set's points, OwnLanes at a time.</summary>
    private static long OwnBundles(int n, int m) => ((n + OwnLanes - 1) / OwnLanes) + ((m + OwnLanes - 1) / OwnLanes);

    /// <summary>
    /// An own-run bundle's work in pair bundles: a point with itself computes half the slices of a
    /// global pooling (slice −d is slice d transposed), all of a Flatten's one slice.
    /// </summary>
    private static double OwnWork(string readout) => readout == "gap" ? 0.5 : 1;

    /// <summary>max over the entries of |actual − expected| / |expected|.</summary>
    private static double MaxRelativeError(Matrix<double> expected, Matrix<double> actual) =>
        expected.Enumerate().Zip(actual.Enumerate()).Max(p => Math.Abs(p.Second - p.First) / Math.Abs(p.First));

    private static string Versus(ConvCaseResult result) =>
        result.SpeedupVsFp64 is { } speedup
            ? string.Create(CultureInfo.InvariantCulture, $"  {speedup:F2}× FP64 (CPU time {result.CpuSpeedupVsFp64:F2}×, pairs {Format(result.PairSpeedupVsFp64, "F2")}×), max rel. error {result.MaxRelativeErrorVsFp64:G3}")
            : "";

    /// <summary>Standard normal pixels: the kernel's cost does not depend on the values.</summary>
    private static Matrix<double> Images(Random random, int count, int features) =>
        Matrix<double>.Build.Dense(count, features, (_, _) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    private static (double? Peak, string Source) Peak(bool gpu, string backend)
    {
        if (gpu)
        {
            return GpuPeaks.Find(backend) is { } card
                ? (card.Fp64Tflops * 1000, $"{card.Card} FP64 vector peak, perf/gpu-peaks.json (the stencil does not run on tensor cores)")
                : (null, $"{backend} is not in perf/gpu-peaks.json");
        }

        return CpuPeak.Derive() is { } derived ? (derived.Gflops, derived.Source) : (null, "no clock figure in cpufreq or /proc/cpuinfo");
    }

    private static string Goal(ConvCaseResult result) =>
        result.GoalMet is { } met
            ? string.Create(CultureInfo.InvariantCulture, $"  goal {(met ? "met" : "not met")}")
            : "";

    public static string Format(double? value, string format) =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "—";
}
