using System.Diagnostics;
using System.Globalization;
using GpuNngp.Data;
using GpuNngp.Experiments.Evaluation;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Perf.Training;

/// <summary>
/// The check against real training (issue 13 item 4, the figure of Lee et al. 2019): finite ReLU
/// networks of several widths trained by full-batch gradient descent from many seeds, their test
/// outputs at several times compared with the infinite-width prediction. Time τ is in units of the
/// dynamics: η t with η = NC/λ_max(Θ_DD), so a mode of Θ_DD decays as exp(−τ λ/λ_max).
/// The learning rate of step k is h_k·NC/λ_max with h_k = clamp(growth·τ_k, first, largest) ≤ 1 (half the
/// stability limit of 2): small steps while the large eigenmodes move, so that time discretisation
/// stays below the finite-width gap, and steps of 1 once only slow modes are left.
/// </summary>
public static class TrainingCheck
{
    /// <summary>Runs the whole measurement, writing one progress line per trained network to <paramref name="log"/>.</summary>
    public static TrainingReport Run(TrainingSettings settings, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        settings.Validate();
        var started = DateTime.UtcNow;
        var split = DataSplit.Load(settings.Dataset, settings.TrainSize, settings.TestSize);
        var (trainX, trainY, testX, _, _) = PreparedSplit.Of(split, settings.Classes);

        var network = Nngp.FullyConnected(settings.Depth, Nngp.Relu(), settings.WeightVariance, settings.BiasVariance);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var theta = engine.Kernel(network, trainX, null, KernelKind.Ntk);
        var thetaTest = engine.Kernel(network, testX, trainX, KernelKind.Ntk);

        // The library's gradient-flow mean (DESIGN §8, NTK regime), fitted at η = 1: time enters only as
        // η·t, so the reference rate's times are τ·η. One decomposition gives λ_max (hence η) and the
        // prediction for Y; each seed's Y − f₀(D) needs its own fit.
        using var dynamics = engine.FitDynamics(network, trainX, trainY, new DynamicsOptions { Kind = KernelKind.Ntk });
        double lambdaMax = dynamics.Eigenvalues[^1], lambdaMin = dynamics.Eigenvalues[0];
        double outputs = (double)settings.TrainSize * settings.Classes;
        double learningRate = outputs / lambdaMax;
        double[] flowTimes = [.. settings.Times.Select(t => t * learningRate)];
        var schedule = StepSchedule.Build(settings.Times, settings.FirstStep, settings.StepGrowth, settings.LargestStep);

        Matrix<double>[] Flow(Matrix<double> targets)
        {
            using var fitted = engine.FitDynamics(network, trainX, targets, new DynamicsOptions { Kind = KernelKind.Ntk });
            return [.. fitted.PredictMean(testX, flowTimes).Means];
        }

        var flow = dynamics.PredictMean(testX, flowTimes).Means.ToArray();
        var discrete = InfiniteWidthPrediction.DiscreteStepsMean(theta, thetaTest, trainY, learningRate, schedule.StepTimes, schedule.SnapshotSteps);
        var floor = settings.Times.Select((_, i) => Rms(discrete[i] - flow[i])).ToArray();
        var scale = flow.Select(Rms).ToArray();
        log.WriteLine(FormattableString.Invariant(
            $"Θ_DD: λ_max {lambdaMax:G6}, λ_min {lambdaMin:G6}; η = NC/λ_max = {learningRate:G6}; {schedule.StepTimes.Count} steps to τ = {settings.Times[^1]}"));

        var rows = new List<TrainingRow>();
        foreach (int width in settings.Widths)
        {
            var watch = Stopwatch.StartNew();
            var perSeed = new List<Matrix<double>[]>();
            var residuals = new List<Matrix<double>[]>();
            var movements = new double[settings.Times.Count];
            var losses = new double[settings.Times.Count];
            for (int s = 0; s < settings.Seeds; s++)
            {
                using var trainer = new DenseNetworkTrainer(
                    trainX, trainY, settings.Depth, width, settings.WeightVariance, settings.BiasVariance, settings.FirstSeed + s);
                var initialTest = trainer.Outputs(testX);
                var initialTrain = trainer.Outputs(trainX);
                var reference = Flow(trainY - initialTrain);
                var snapshots = new Matrix<double>[settings.Times.Count];
                var seedResiduals = new Matrix<double>[settings.Times.Count];
                int step = 0;
                for (int i = 0; i < settings.Times.Count; i++)
                {
                    for (; step < schedule.SnapshotSteps[i]; step++)
                    {
                        double loss = trainer.Step(schedule.StepTimes[step] * learningRate);
                        if (!double.IsFinite(loss))
                        {
                            throw new NngpNumericalException($"training diverged at width {width}, seed {settings.FirstSeed + s}, step {step}");
                        }
                    }

                    losses[i] += trainer.Loss() / settings.Seeds;
                    snapshots[i] = trainer.Outputs(testX);
                    seedResiduals[i] = snapshots[i] - initialTest - reference[i];
                    movements[i] += Square(Rms(reference[i])) / settings.Seeds;
                }

                perSeed.Add(snapshots);
                residuals.Add(seedResiduals);
                log.WriteLine(FormattableString.Invariant(
                    $"width {width}, seed {settings.FirstSeed + s}: {watch.Elapsed.TotalSeconds:F1} s, training loss at τ = {settings.Times[^1]}: {trainer.Loss():G4}"));
            }

            for (int i = 0; i < settings.Times.Count; i++)
            {
                var mean = Average(perSeed.Select(p => p[i]).ToList());
                double spread = Math.Sqrt(perSeed.Average(p => Square(Rms(p[i] - mean))) * settings.Seeds / Math.Max(1, settings.Seeds - 1));
                rows.Add(new TrainingRow(
                    width, settings.Times[i],
                    PerSeedGap: Math.Sqrt(residuals.Average(r => Square(Rms(r[i])))),
                    EnsembleGap: Rms(mean - flow[i]),
                    EnsembleNoise: spread / Math.Sqrt(settings.Seeds),
                    CentredEnsembleGap: Rms(Average(residuals.Select(r => r[i]).ToList())),
                    PredictionScale: scale[i],
                    PredictedMovement: Math.Sqrt(movements[i]),
                    DiscretisationFloor: floor[i],
                    TrainingLoss: losses[i],
                    SecondsPerSeed: watch.Elapsed.TotalSeconds / settings.Seeds));
            }
        }

        var slopes = settings.Times.Select(t => new TrainingSlope(
            t,
            Slope(rows.Where(r => r.Time == t).Select(r => (r.Width, r.PerSeedGap))),
            Slope(rows.Where(r => r.Time == t).Select(r => (r.Width, r.EnsembleGap))),
            Slope(rows.Where(r => r.Time == t).Select(r => (r.Width, r.CentredEnsembleGap))))).ToArray();
        return new TrainingReport(
            settings, started.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), Environment.MachineName,
            lambdaMax, lambdaMin, learningRate, schedule.StepTimes.Count, rows, slopes);
    }

    /// <summary>Least-squares slope of log gap against log width (NaN with fewer than two widths).</summary>
    internal static double Slope(IEnumerable<(int Width, double Gap)> points)
    {
        var list = points.Where(p => p.Gap > 0).Select(p => (X: Math.Log(p.Width), Y: Math.Log(p.Gap))).ToList();
        if (list.Count < 2)
        {
            return double.NaN;
        }

        double mx = list.Average(p => p.X), my = list.Average(p => p.Y);
        return list.Sum(p => (p.X - mx) * (p.Y - my)) / list.Sum(p => (p.X - mx) * (p.X - mx));
    }

    private static Matrix<double> Average(List<Matrix<double>> matrices) =>
        matrices.Aggregate((a, b) => a + b) / matrices.Count;

    private static double Rms(Matrix<double> m) => m.FrobeniusNorm() / Math.Sqrt((double)m.RowCount * m.ColumnCount);

    private static double Square(double x) => x * x;
}

/// <summary>The gradient-descent steps (in units of τ) that land exactly on each snapshot time.</summary>
internal sealed record StepSchedule(IReadOnlyList<double> StepTimes, IReadOnlyList<int> SnapshotSteps)
{
    public static StepSchedule Build(IReadOnlyList<double> times, double first, double growth, double largest)
    {
        var steps = new List<double>();
        var snapshots = new List<int>();
        double tau = 0;
        foreach (double target in times)
        {
            while (tau < target * (1 - 1e-12))
            {
                double h = Math.Min(Math.Min(Math.Max(first, growth * tau), largest), target - tau);
                steps.Add(h);
                tau += h;
            }

            tau = target;
            snapshots.Add(steps.Count);
        }

        return new StepSchedule(steps, snapshots);
    }
}
