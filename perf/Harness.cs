using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using GpuNngp.Experiments.Evaluation;

namespace GpuNngp.Perf;

/// <summary>What a harness run leaves behind: the report and where its files went.</summary>
public sealed record HarnessResult(BenchmarkReport Report, string Directory, string JsonPath, int FailedChecks);

/// <summary>
/// The sweep: for each backend present, every configuration is run <c>warmup</c> times (discarded:
/// JIT, kernel compilation, first-touch of memory), then <c>repeats</c> times, each run timed end to
/// end (wall clock around Fit + Predict) and stage by stage (the engine's <see cref="StageTimings"/>).
/// </summary>
public sealed partial class Harness
{
    /// <summary>The stage names in data-flow order, as reports spell them.</summary>
    public static IReadOnlyList<string> StageNames { get; } = Enum.GetValues<Stage>().Select(ClassificationExperiment.StageName).ToArray();

    /// <summary>The aggregate of the training kernel's two stages (input Gram + layer map), for scaling fits.</summary>
    public const string KernelAggregate = "kernel";

    public const string EndToEndName = "end-to-end";

    private readonly HarnessOptions _options;
    private readonly TextWriter _log;

    public Harness(HarnessOptions options, TextWriter log)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    public HarnessResult Run()
    {
        long started = Stopwatch.GetTimestamp();
        var date = DateTimeOffset.Now;
        string directory = _options.OutputDirectory
            ?? Path.Combine("artifacts", "perf", date.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        var loadStart = LoadAverage();
        var machine = Machine(loadStart, null);
        _log.WriteLine($"GpuNngp.Perf{(_options.Quick ? " --quick" : "")}: {machine.Description}");
        if (loadStart is { } load && load[0] > machine.LogicalCores + 0.5)
        {
            _log.WriteLine($"warning: load average {load[0]:F2} on {machine.LogicalCores} cores: other work shares this machine, timings will be noisy");
        }

        var backends = OpenBackends(out GpuInfo? gpu, out NvmlMonitor? monitor);
        var runs = new List<RunResult>();
        var infos = new List<BackendInfo>();
        try
        {
            foreach (var (key, engine) in backends)
            {
                bool isGpu = key == "gpu";
                int fits = Math.Min(MemoryFit(isGpu, gpu), SyntheticData.TrainLimit(_options.Dataset, _options.TestSize));
                var sizes = _options.TrainSizes(isGpu, fits);
                infos.Add(new BackendInfo(key, engine.Backend, engine.DeviceChoice, fits, sizes));
                _log.WriteLine($"{key}: {engine.DeviceChoice}");
                _log.WriteLine($"{key}: N = {string.Join(", ", sizes)} (memory and data allow N ≤ {fits:N0})");
                int baseN = Math.Min(isGpu ? _options.GpuBaseN ?? 16000 : _options.BaseN, fits);
                foreach (var configuration in Configurations(sizes, baseN))
                {
                    runs.Add(Measure(key, engine, configuration, isGpu ? monitor : null));
                }
            }
        }
        finally
        {
            foreach (var (_, engine) in backends)
            {
                engine.Dispose();
            }

            monitor?.Dispose();
        }

        var scaling = Scaling(runs);
        var speedups = Speedups(runs);
        machine = Machine(loadStart, LoadAverage());
        var checks = Checks(runs, scaling, machine);
        var report = new BenchmarkReport
        {
            Date = date,
            Command = _options.Command,
            Quick = _options.Quick,
            Machine = machine,
            Gpu = gpu,
            Settings = new HarnessSettings(
                _options.Dataset, _options.Seed, _options.Repeats, _options.Warmups, _options.TestSize, _options.Dimension, _options.Depth,
                _options.Activation, _options.Outputs, _options.WeightVariance, _options.BiasVariance, _options.Noise, _options.QuadratureOrder,
                _options.FitMinN, _options.GapTolerance, _options.GapMinSeconds),
            Backends = infos,
            Runs = runs,
            Scaling = scaling,
            Speedups = speedups,
            Checks = checks,
        };

        var files = new List<string>();
        files.AddRange(Plots.Write(report, directory));
        string markdown = Path.Combine(directory, "benchmark.md");
        File.WriteAllText(markdown, MarkdownReport.Write(report, files));
        files.Insert(0, Path.GetFileName(markdown));
        report = report with { Files = files, WallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds };
        string json = Path.Combine(directory, "benchmark.json");
        File.WriteAllText(json, JsonSerializer.Serialize(report, BenchmarkReport.JsonOptions));

        foreach (var check in checks)
        {
            _log.WriteLine($"check {check.Name}: {check.Status} — {check.Detail}");
        }

        _log.WriteLine($"wrote {json}, {string.Join(", ", files)} ({report.WallSeconds:F1} s)");
        return new HarnessResult(report, directory, json, checks.Count(c => c.Status == "fail"));
    }

    /// <summary>One configuration of the sweep.</summary>
    private sealed record Configuration(string Sweep, int N, int M, int D, int Depth, string Activation);

    private IEnumerable<Configuration> Configurations(IReadOnlyList<int> sizes, int baseN)
    {
        var o = _options;
        foreach (int n in sizes)
        {
            yield return new Configuration("n", n, o.TestSize, o.Dimension, o.Depth, o.Activation);
        }

        foreach (int m in o.SweepTestSizes)
        {
            yield return new Configuration("m", baseN, m, o.Dimension, o.Depth, o.Activation);
        }

        if (SyntheticData.IsSynthetic(o.Dataset))
        {
            foreach (int d in o.SweepDimensions)
            {
                yield return new Configuration("d", baseN, o.TestSize, d, o.Depth, o.Activation);
            }
        }

        foreach (int depth in o.SweepDepths)
        {
            yield return new Configuration("depth", baseN, o.TestSize, o.Dimension, depth, o.Activation);
        }

        foreach (string activation in o.SweepActivations)
        {
            yield return new Configuration("activation", o.ActivationN, o.ActivationTestSize, o.Dimension, o.Depth, activation);
        }
    }

    private List<(string Key, NngpEngine Engine)> OpenBackends(out GpuInfo? gpu, out NvmlMonitor? monitor)
    {
        var wanted = _options.Backends ?? ["cpu", "gpu"];
        var engines = new List<(string, NngpEngine)>();
        gpu = null;
        monitor = null;
        if (wanted.Contains("cpu"))
        {
            engines.Add(("cpu", NngpEngine.Create(DeviceKind.Cpu)));
        }

        if (wanted.Contains("gpu"))
        {
            try
            {
                var engine = NngpEngine.Create(DeviceKind.Gpu);
                engines.Add(("gpu", engine));
                monitor = NvmlMonitor.TryOpen(engine.Backend, out string reason);
                gpu = new GpuInfo(
                    engine.Backend,
                    monitor?.Name,
                    monitor?.DriverVersion,
                    monitor is null ? NameMemory(engine.Backend) : (long)monitor.TotalBytes,
                    GpuPeaks.Find(engine.Backend),
                    monitor is null ? $"no device memory figures: {reason}" : "NVML, sampled every 2 ms; baseline before the engine's first fit subtracted");
                if (gpu.Peaks is null)
                {
                    _log.WriteLine($"gpu: {engine.Backend} is not in the peaks table (perf/gpu-peaks.json): no fractions of peak");
                }
            }
            catch (NngpException e) when (_options.Backends is null)
            {
                _log.WriteLine($"gpu: not measured ({e.Message})");
            }
        }

        return engines;
    }

    /// <summary>The largest N whose N×N FP64 matrix fits: 80 % of the GPU's memory, or half the host's.</summary>
    private static int MemoryFit(bool isGpu, GpuInfo? gpu)
    {
        double bytes = isGpu
            ? (gpu?.MemoryBytes ?? 0) * 0.8
            : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.5;
        return (int)Math.Min(int.MaxValue, Math.Floor(Math.Sqrt(bytes / 8)));
    }

    /// <summary>The memory the engine's GPU name states ("..., 79.2 GiB, ..."), bytes.</summary>
    private static long? NameMemory(string name)
    {
        var match = GibPattern().Match(name);
        return match.Success ? (long)(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * (1L << 30)) : null;
    }

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?) GiB")]
    private static partial Regex GibPattern();

    private RunResult Measure(string backend, NngpEngine engine, Configuration configuration, NvmlMonitor? monitor)
    {
        var o = _options;
        var (sweep, n, m, d, depth, activation) = configuration;
        long dataStart = Stopwatch.GetTimestamp();
        var data = SyntheticData.Create(o.Dataset, n, m, d, o.Outputs, o.Seed);
        double dataSeconds = Stopwatch.GetElapsedTime(dataStart).TotalSeconds;
        int outputs = data.TrainTargets.ColumnCount;
        d = data.TrainInputs.ColumnCount;
        var network = Nngp.FullyConnected(depth, Nngp.ActivationByName(activation), o.WeightVariance, o.BiasVariance);

        for (int w = 0; w < o.Warmups; w++)
        {
            RunOnce(engine, network, data);
        }

        monitor?.StartSampling();
        var samples = new List<Sample>();
        for (int r = 0; r < o.Repeats; r++)
        {
            samples.Add(RunOnce(engine, network, data));
        }

        long? deviceBytes = monitor is null ? null : (long)monitor.StopSampling() - (long)monitor.BaselineBytes;
        using var process = Process.GetCurrentProcess();
        process.Refresh();

        var shape = new Shape(n, m, d, depth, outputs);
        var stageSum = Summary.Of(samples.Select(s => s.Stages.Values.Sum()).ToArray());
        var stages = new Dictionary<string, StageResult>();
        var peaks = backend == "gpu" ? GpuPeaks.Find(engine.Backend) : null;
        foreach (var stage in Enum.GetValues<Stage>())
        {
            if (!samples.All(s => s.Stages.ContainsKey(stage)))
            {
                continue;
            }

            var seconds = Summary.Of(samples.Select(s => s.Stages[stage]).ToArray());
            var work = StageWork.For(stage, shape);
            double rate = work.Rate(seconds.Median);
            (double Peak, string Name)? peak = peaks?.For(work.Peak);
            stages[ClassificationExperiment.StageName(stage)] = new StageResult(
                seconds,
                work.Amount,
                work.Model,
                work.Unit,
                rate,
                seconds.Min > 0 ? (work.Rate(seconds.Min) - work.Rate(seconds.Max)) / rate : 0,
                peak?.Name,
                peak?.Peak,
                peak is { } p && p.Peak > 0 ? rate / p.Peak : null,
                stageSum.Median > 0 ? seconds.Median / stageSum.Median : 0);
        }

        var result = new RunResult
        {
            Sweep = sweep,
            Backend = backend,
            N = n,
            M = m,
            D = d,
            Depth = depth,
            Activation = activation,
            Outputs = outputs,
            EndToEnd = Summary.Of(samples.Select(s => s.Wall).ToArray()),
            StageSum = stageSum,
            Gap = Summary.Of(samples.Select(s => (s.Wall - s.Stages.Values.Sum()) / s.Wall).ToArray()),
            FitGapSeconds = Summary.Of(samples.Select(s => s.FitGapSeconds).ToArray()),
            PredictGapSeconds = Summary.Of(samples.Select(s => s.PredictGapSeconds).ToArray()),
            GcPauseSeconds = Summary.Of(samples.Select(s => s.GcPauseSeconds).ToArray()),
            GcCollections = samples.Max(s => s.GcCollections),
            Stages = stages,
            Jitter = samples.Max(s => s.Jitter),
            LogMarginalLikelihood = samples[^1].LogMarginalLikelihood,
            PeakHostWorkingSetBytes = process.PeakWorkingSet64,
            PeakDeviceMemoryBytes = deviceBytes,
            DataSeconds = dataSeconds,
        };

        string rates = string.Join("  ", stages.Where(s => s.Key is "input-gram" or "layer-map" or "factorisation" or "variance")
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value.Rate:G3} {s.Value.Unit}")));
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend} {sweep,-10} N={n,6} M={m,5} d={d,4} L={depth,2} {activation,-8} end-to-end {result.EndToEnd.Median,8:F3} s (spread {100 * result.EndToEnd.Spread,4:F1} %)  stage sum {100 * result.StageSum.Median / result.EndToEnd.Median,5:F1} %  {rates}"));
        return result;
    }

    private sealed record Sample(
        double Wall,
        Dictionary<Stage, double> Stages,
        double Jitter,
        double LogMarginalLikelihood,
        double FitGapSeconds,
        double PredictGapSeconds,
        double GcPauseSeconds,
        int GcCollections);

    private Sample RunOnce(NngpEngine engine, Network network, BenchmarkData data)
    {
        // Collect the previous run's N×N arrays now, not inside the timed region.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var pauseBefore = GC.GetTotalPauseDuration();
        int collectionsBefore = GC.CollectionCount(0);
        long start = Stopwatch.GetTimestamp();
        using var posterior = engine.Fit(network, data.TrainInputs, data.TrainTargets, new FitOptions { Noise = _options.Noise, QuadratureOrder = _options.QuadratureOrder });
        long fitted = Stopwatch.GetTimestamp();
        var prediction = posterior.Predict(data.TestInputs);
        long end = Stopwatch.GetTimestamp();
        double wall = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        var stages = new StageTimings();
        stages.Add(posterior.FitTimings);
        stages.Add(prediction.Timings);
        double fitGap = Stopwatch.GetElapsedTime(start, fitted).TotalSeconds - posterior.FitTimings.Total;
        double predictGap = Stopwatch.GetElapsedTime(fitted, end).TotalSeconds - prediction.Timings.Total;
        double pause = (GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds;
        int collections = GC.CollectionCount(0) - collectionsBefore;
        return new Sample(wall, stages.Seconds.ToDictionary(), posterior.Jitter, posterior.LogMarginalLikelihood, fitGap, predictGap, pause, collections);
    }

    private List<ScalingFit> Scaling(IReadOnlyList<RunResult> runs)
    {
        var fits = new List<ScalingFit>();
        foreach (var group in runs.Where(r => r.Sweep == "n").GroupBy(r => r.Backend))
        {
            var points = group.OrderBy(r => r.N).ToArray();
            var names = StageNames.Where(s => points.All(p => p.Stages.ContainsKey(s))).Append(KernelAggregate).Append(EndToEndName);
            foreach (string name in names)
            {
                var all = points.Select(p => ((double)p.N, SeriesTime(p, name))).Where(p => p.Item2 > 0).ToArray();
                var large = all.Where(p => p.Item1 >= _options.FitMinN).ToArray();
                var fit = Statistics.LogLogSlope(large);
                fits.Add(new ScalingFit(
                    group.Key, name, fit?.Slope, fit?.RSquared, large.Select(p => (int)p.Item1).ToArray(), _options.FitMinN, Statistics.LogLogSlope(all)?.Slope));
            }
        }

        return fits;
    }

    /// <summary>The median seconds of a stage, of the kernel aggregate or end to end.</summary>
    public static double SeriesTime(RunResult run, string name)
    {
        ArgumentNullException.ThrowIfNull(run);
        return name switch
        {
            EndToEndName => run.EndToEnd.Median,
            KernelAggregate => run.Stages.GetValueOrDefault("input-gram")?.Seconds.Median + run.Stages.GetValueOrDefault("layer-map")?.Seconds.Median ?? 0,
            _ => run.Stages.GetValueOrDefault(name)?.Seconds.Median ?? 0,
        };
    }

    private static List<SpeedupPoint> Speedups(IReadOnlyList<RunResult> runs)
    {
        var cpu = runs.Where(r => r.Sweep == "n" && r.Backend == "cpu").ToDictionary(r => r.N);
        var points = new List<SpeedupPoint>();
        foreach (var gpu in runs.Where(r => r.Sweep == "n" && r.Backend == "gpu").OrderBy(r => r.N))
        {
            if (!cpu.TryGetValue(gpu.N, out var host))
            {
                continue;
            }

            var stages = new Dictionary<string, double>();
            foreach (string name in StageNames.Append(KernelAggregate))
            {
                double c = SeriesTime(host, name), g = SeriesTime(gpu, name);
                if (c > 0 && g > 0)
                {
                    stages[name] = c / g;
                }
            }

            points.Add(new SpeedupPoint(gpu.N, host.EndToEnd.Median / gpu.EndToEnd.Median, stages));
        }

        return points;
    }

    private List<CheckResult> Checks(IReadOnlyList<RunResult> runs, IReadOnlyList<ScalingFit> scaling, MachineInfo machine)
    {
        var checks = new List<CheckResult>();
        foreach (var group in runs.GroupBy(r => r.Backend))
        {
            // The figures reported are medians: the check compares the median stage sum with the median
            // end-to-end time of each configuration that runs long enough for the comparison to mean
            // something; shorter ones are listed as information (a Fit + Predict also validates and
            // copies its arguments and allocates buffers outside every stage, a fixed ~1 ms or more).
            var judged = group.Where(r => r.EndToEnd.Median >= _options.GapMinSeconds).ToArray();
            var small = group.Where(r => r.EndToEnd.Median < _options.GapMinSeconds).ToArray();
            string name = $"{group.Key}: stage sum vs end to end";
            if (judged.Length == 0)
            {
                checks.Add(new CheckResult(name, "skipped", string.Create(CultureInfo.InvariantCulture,
                    $"no configuration ran {_options.GapMinSeconds:G3} s or longer")));
            }
            else
            {
                var worst = judged.MaxBy(MedianGap)!;
                double gap = MedianGap(worst);
                double worstRepeat = judged.Max(r => Math.Max(Math.Abs(r.Gap.Min), Math.Abs(r.Gap.Max)));
                checks.Add(new CheckResult(
                    name,
                    gap <= _options.GapTolerance ? "pass" : "fail",
                    string.Create(CultureInfo.InvariantCulture,
                        $"in each of the {judged.Length} configurations of {_options.GapMinSeconds:G3} s or more, the median stage sum is within {100 * gap:F2} % of the median end-to-end time (worst: {Describe(worst)}; tolerance {100 * _options.GapTolerance:F0} %); worst single repeat {100 * worstRepeat:F2} %")));
            }

            if (small.Length > 0)
            {
                var worstSmall = small.MaxBy(MedianGap)!;
                checks.Add(new CheckResult(
                    $"{group.Key}: stage sum vs end to end, runs under {_options.GapMinSeconds:G3} s",
                    "info",
                    string.Create(CultureInfo.InvariantCulture,
                        $"{small.Length} configuration(s); the largest gap {100 * MedianGap(worstSmall):F1} % ({1000 * (worstSmall.EndToEnd.Median - worstSmall.StageSum.Median):F2} ms of {1000 * worstSmall.EndToEnd.Median:F2} ms: fit {1000 * worstSmall.FitGapSeconds.Median:F2} ms, predict {1000 * worstSmall.PredictGapSeconds.Median:F2} ms outside the stages) at {Describe(worstSmall)}")));
            }

            var retried = group.Where(r => r.Jitter > 0).ToArray();
            checks.Add(new CheckResult(
                $"{group.Key}: no jitter retries",
                retried.Length == 0 ? "pass" : "warn",
                retried.Length == 0
                    ? "every factorisation succeeded at the first attempt"
                    : $"{retried.Length} configuration(s) needed jitter (a retry repeats the factorisation): " + string.Join(", ", retried.Select(r => $"{r.Sweep} N={r.N}"))));
        }

        string scope = _options.Quick ? $"N ≥ {_options.FitMinN:N0} (--quick: small N, informative only)" : $"N ≥ {_options.FitMinN:N0}";
        foreach (var (stage, expected, tolerance) in new[] { ("factorisation", 3.0, 0.35), (KernelAggregate, 2.0, 0.3) })
        {
            var fit = scaling.FirstOrDefault(f => f.Backend == "cpu" && f.Stage == stage);
            string name = $"cpu: {stage} scaling exponent near {expected:F0}";
            if (fit?.Exponent is not { } exponent)
            {
                checks.Add(new CheckResult(name, "skipped", $"fewer than two CPU points with {scope}"));
                continue;
            }

            bool near = Math.Abs(exponent - expected) <= tolerance;
            checks.Add(new CheckResult(
                name,
                _options.Quick ? "info" : near ? "pass" : "fail",
                string.Create(CultureInfo.InvariantCulture,
                    $"{exponent:F2} over {scope} ({string.Join(", ", fit.FittedN)}); accepted {expected - tolerance:F2}..{expected + tolerance:F2}")));
        }

        bool quiet = machine.LoadAverageStart is { } s && machine.LoadAverageEnd is { } e
            && s[0] <= machine.LogicalCores + 0.5 && e[0] <= machine.LogicalCores + 0.5;
        checks.Add(new CheckResult(
            "machine quiet",
            machine.LoadAverageStart is null ? "skipped" : quiet ? "pass" : "warn",
            machine.LoadAverageStart is null
                ? "no /proc/loadavg"
                : string.Create(CultureInfo.InvariantCulture,
                    $"1-minute load average {machine.LoadAverageStart[0]:F2} at the start, {machine.LoadAverageEnd?[0]:F2} at the end, on {machine.LogicalCores} logical cores")));
        return checks;
    }

    private static string Describe(RunResult r) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.Sweep} sweep, N = {r.N}, M = {r.M}, d = {r.D}, depth {r.Depth} {r.Activation}");

    /// <summary>|median end to end − median stage sum| / median end to end.</summary>
    public static double MedianGap(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Math.Abs(run.EndToEnd.Median - run.StageSum.Median) / run.EndToEnd.Median;
    }

    /// <summary>The 1-, 5- and 15-minute load averages, or null without /proc/loadavg.</summary>
    internal static double[]? LoadAverage()
    {
        try
        {
            if (!File.Exists("/proc/loadavg"))
            {
                return null;
            }

            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static MachineInfo Machine(double[]? loadStart, double[]? loadEnd)
    {
        string description = ClassificationExperiment.MachineDescription();
        string cpu = description[(description.LastIndexOf(", ", StringComparison.Ordinal) + 2)..];
        return new MachineInfo(
            description,
            cpu,
            Environment.ProcessorCount,
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            loadStart,
            loadEnd,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }
}
