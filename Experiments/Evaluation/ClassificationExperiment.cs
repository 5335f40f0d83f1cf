using System.Diagnostics;
using System.Runtime.InteropServices;
using GpuNngp.Data;
using GpuNngp.Engine.Computation;

namespace GpuNngp.Experiments.Evaluation;

/// <summary>
/// The paper's classification protocol: standardised inputs, one-hot − 0.1 targets, one GP with C
/// outputs sharing one factorisation, prediction = argmax of the posterior mean.
/// </summary>
public static class ClassificationExperiment
{
    public const string LoadStage = "load";

    /// <summary>Loads the split, fits and predicts; a cancelled <paramref name="cancellationToken"/> stops the fit or the prediction with <see cref="OperationCanceledException"/>.</summary>
    public static ClassificationReport Run(
        ClassificationSettings settings, IProgress<StageProgress>? progress = null, Action<string>? announce = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var network = settings.Network ?? Nngp.FullyConnected(settings.Depth, Nngp.ActivationByName(settings.Activation), settings.WeightVariance, settings.BiasVariance);
        network.Validate();
        InputValidation.CheckNonNegative(settings.Noise, "observation noise");
        if (settings.TrainSize < 2)
        {
            throw new NngpInputException($"training size must be at least 2, got {settings.TrainSize}", "trainSize");
        }

        if (settings.CalibrationBins < 1)
        {
            throw new NngpInputException($"calibration bins must be at least 1, got {settings.CalibrationBins}", "calibrationBins");
        }

        // The engine first, so that a training size its memory cannot hold is refused before any data is read.
        using var engine = NngpEngine.Create(settings.Device);
        // PCG makes its own checks (the FP32 kernel's host memory) in the fit, before any work.
        bool pcg = settings.Solver == SolverKind.Pcg;
        if (!pcg)
        {
            engine.CheckFitMemory(settings.TrainSize);
        }

        long start = Stopwatch.GetTimestamp();
        var protocol = settings.Split ?? DataSplit.DefaultSplit(settings.Dataset);
        var split = DataSplit.Load(settings.Dataset, settings.TrainSize, settings.TestSize, protocol);
        int classes = ExperimentClasses.Count(split.Train.Labels, split.Test.Labels, "test");
        network = OnImages(network, split.Train, "training", split.Test, "test");

        // Per example: for images that is per image, over its H·W·C values, training and test alike.
        var xTrain = Preprocessing.StandardisePerExample(split.Train.Images);
        var yTrain = Preprocessing.OneHotTargets(split.Train.Labels, classes);
        var xTest = Preprocessing.StandardisePerExample(split.Test.Images);
        double loadSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        announce?.Invoke(engine.DeviceChoice);
        using var posterior = engine.Fit(network, xTrain, yTrain, new FitOptions { Noise = settings.Noise, Kind = settings.Kind, Progress = progress, Lookup = settings.Lookup, Solver = settings.Solver, Pcg = settings.Pcg, Precision = settings.Precision }, cancellationToken);

        // PCG: the mean alone (each variance is one more solve); no variance, no calibration.
        MeanPrediction prediction = pcg ? posterior.PredictMean(xTest, progress, cancellationToken) : posterior.Predict(xTest, progress, cancellationToken);
        var yTest = Preprocessing.OneHotTargets(split.Test.Labels, classes);
        var calibration = prediction is Prediction withVariance
            ? Calibration.Compute(prediction.Mean, withVariance.Variance, yTest, Math.Min(settings.CalibrationBins, settings.TestSize), settings.Noise)
            : null;

        var stages = new Dictionary<string, double> { [LoadStage] = loadSeconds };
        var timings = new StageTimings();
        timings.Add(posterior.FitTimings);
        timings.Add(prediction.Timings);
        foreach (var (stage, seconds) in timings.Seconds.OrderBy(s => s.Key))
        {
            stages[StageName(stage)] = seconds;
        }

        return new ClassificationReport
        {
            Dataset = settings.Dataset,
            Split = protocol.ToString().ToLowerInvariant(),
            TrainSize = settings.TrainSize,
            TestSize = settings.TestSize,
            Dimension = xTrain.ColumnCount,
            Classes = classes,
            Architecture = network.ToString(),
            Kernel = settings.Kind.ToString().ToUpperInvariant(),
            Noise = settings.Noise,
            Backend = posterior.Backend,
            DeviceChoice = engine.DeviceChoice,
            Accuracy = Accuracy(prediction.PredictedClasses(), split.Test.Labels),
            MeanPredictiveVariance = (prediction as Prediction)?.Variance.Average(),
            Pcg = posterior.Pcg,
            Calibration = calibration,
            Lookup = settings.Lookup.ToString().ToLowerInvariant(),
            Jitter = posterior.Jitter,
            LogMarginalLikelihood = posterior.LogMarginalLikelihood,
            StageSeconds = stages,
            TotalSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds,
            Date = DateTimeOffset.UtcNow,
            Machine = MachineDescription(),
        };
    }

    /// <summary>
    /// A convolutional network on the images of both sets (one shape, and one the network fits); a
    /// dense one as it is, on the flattened rows.
    /// </summary>
    internal static Network OnImages(Network network, LabeledImages first, string firstName, LabeledImages second, string secondName) =>
        network.IsConvolutional
            ? ImageNetwork.On(network, "the network", ($"the {firstName} set", first.AsImages($"the {firstName} set")), ($"the {secondName} set", second.AsImages($"the {secondName} set")))
            : network;

    /// <summary>The fraction of predictions equal to the labels.</summary>
    public static double Accuracy(IReadOnlyList<int> predicted, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(labels);
        if (predicted.Count != labels.Count || labels.Count == 0)
        {
            throw new NngpInputException($"accuracy: {labels.Count} labels for {predicted.Count} predictions");
        }

        int correct = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }

        return (double)correct / labels.Count;
    }

    /// <summary>Lower-case, hyphenated stage names for reports ("input-gram", "layer-map", ...).</summary>
    public static string StageName(Stage stage) => stage switch
    {
        Stage.InputGram => "input-gram",
        Stage.LayerMap => "layer-map",
        Stage.TestKernel => "test-kernel",
        _ => stage.ToString().ToLowerInvariant(),
    };

    /// <summary>"Linux x64, 2 cores, AMD EPYC ..." — what every measured figure is written beside.</summary>
    public static string MachineDescription()
    {
        string cpu = "unknown CPU";
        try
        {
            string? line = File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                : null;
            if (line is not null)
            {
                cpu = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }

        return $"{RuntimeInformation.OSDescription.Split(' ')[0]} {RuntimeInformation.OSArchitecture}, {Environment.ProcessorCount} cores, {cpu}";
    }
}
