using MathNet.Numerics.LinearAlgebra;
using GpuNngp.Data;

namespace GpuNngp.Experiments.Evaluation;

/// <summary>What `nngp dynamics` runs: the data set and split, the network, the gradient-descent options, the times and the posterior's noise.</summary>
public sealed record DynamicsSettings
{
    /// <summary>A data set name <see cref="DataSplit.Load"/> takes.</summary>
    public required string Dataset { get; init; }

    /// <summary>The split protocol.</summary>
    public required SplitProtocol Split { get; init; }

    /// <summary>N, training examples.</summary>
    public required int TrainSize { get; init; }

    /// <summary>M, test examples.</summary>
    public required int TestSize { get; init; }

    /// <summary>The network (put on the data set's image shape where it is convolutional).</summary>
    public required Network Network { get; init; }

    /// <summary>Regime, learning rate, diag_reg.</summary>
    public required DynamicsOptions Options { get; init; }

    /// <summary>The times; null for <see cref="DynamicsExperiment.DefaultTimes"/>.</summary>
    public double[]? Times { get; init; }

    /// <summary>σε² of the Bayesian posterior (the NNGP) the curves are compared with.</summary>
    public double Noise { get; init; } = 1e-10;

    /// <summary>Where to compute.</summary>
    public DeviceKind Device { get; init; } = DeviceKind.Auto;
}

/// <summary>
/// The training curve of the infinite ensemble trained by gradient descent on a data set: the loss
/// and accuracy of its mean on the training and test sets at each time and at t = ∞, beside the
/// exact Bayesian posterior's (docs/mathematics.md, "Training dynamics").
/// </summary>
public static class DynamicsExperiment
{
    /// <summary>How many times the default grid has.</summary>
    public const int DefaultTimeCount = 40;

    /// <summary>Loads the data (standardised per example, one-hot targets minus 0.1), follows gradient descent, fits the posterior, scores both.</summary>
    public static DynamicsReport Run(DynamicsSettings settings, IProgress<StageProgress>? progress, Action<string>? announce, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.Options;
        string name = settings.Dataset;
        var data = DataSplit.Load(name, settings.TrainSize, settings.TestSize, settings.Split);
        int classes = ExperimentClasses.Count(data.Train.Labels, data.Test.Labels, "test");
        var network = ClassificationExperiment.OnImages(settings.Network, data.Train, "training", data.Test, "test");
        var (xTrain, yTrain, xTest, yTest, _) = PreparedSplit.Of(data, classes);
        using var engine = NngpEngine.Create(settings.Device);
        announce?.Invoke(engine.DeviceChoice);
        using var dynamics = engine.FitDynamics(network, xTrain, yTrain, options with { Progress = progress }, cancellationToken);
        double[] grid = settings.Times ?? DefaultTimes(dynamics);
        double[] all = [.. grid, double.PositiveInfinity];
        var onTrain = dynamics.PredictMean(xTrain, all, cancellationToken);
        var onTest = dynamics.PredictMean(xTest, all, cancellationToken);
        using var posterior = engine.Fit(network, xTrain, yTrain, new FitOptions { Noise = settings.Noise, Progress = progress }, cancellationToken);
        var posteriorTrain = posterior.PredictMean(xTrain, cancellationToken: cancellationToken).Mean;
        var posteriorTest = posterior.PredictMean(xTest, cancellationToken: cancellationToken).Mean;
        DynamicsPoint Score(Matrix<double> train, Matrix<double> test) =>
            new(Loss(train, yTrain), Loss(test, yTest), Accuracy(train, data.Train.Labels), Accuracy(test, data.Test.Labels));
        var points = Enumerable.Range(0, grid.Length).Select(i => Score(onTrain.Means[i], onTest.Means[i])).ToArray();
        return new DynamicsReport
        {
            Dataset = name,
            TrainSize = xTrain.RowCount,
            TestSize = xTest.RowCount,
            Architecture = network.ToString(),
            Regime = options.Kind == KernelKind.Ntk ? "NTK (all layers trained)" : "NNGP (readout trained)",
            LearningRate = options.LearningRate,
            DiagReg = options.DiagReg,
            LargestEigenvalue = dynamics.Eigenvalues[^1],
            Times = grid,
            TrainLoss = [.. points.Select(p => p.TrainLoss)],
            TestLoss = [.. points.Select(p => p.TestLoss)],
            TrainAccuracy = [.. points.Select(p => p.TrainAccuracy)],
            TestAccuracy = [.. points.Select(p => p.TestAccuracy)],
            AtInfinity = Score(onTrain.Means[^1], onTest.Means[^1]),
            Posterior = Score(posteriorTrain, posteriorTest),
            PosteriorNoise = posterior.Noise + posterior.Jitter,
        };
    }

    /// <summary>
    /// Log-spaced from where the fastest mode has barely moved (s·λ_max·t = 0.01) to where the slowest
    /// non-zero one has converged (s·λ_min·t = 100), at most 12 decades.
    /// </summary>
    public static double[] DefaultTimes(GradientDescentDynamics dynamics)
    {
        double s = dynamics.Options.LearningRate / ((double)dynamics.TrainCount * dynamics.Outputs);
        double largest = dynamics.Eigenvalues[^1];
        double smallest = dynamics.Eigenvalues.Where(l => l > dynamics.Options.EigenvalueTolerance * largest).DefaultIfEmpty(largest).Min();
        double low = Math.Log10(0.01 / (s * largest));
        double high = Math.Min(Math.Log10(100 / (s * smallest)), low + 12);
        return [.. Enumerable.Range(0, DefaultTimeCount).Select(i => Math.Pow(10, low + ((high - low) * i / (DefaultTimeCount - 1))))];
    }

    /// <summary>1/(2nC)·Σ(mean − y)², the loss gradient descent minimises, of the ensemble's mean.</summary>
    public static double Loss(Matrix<double> mean, Matrix<double> targets) =>
        (mean - targets).Enumerate().Sum(e => e * e) / (2.0 * targets.RowCount * targets.ColumnCount);

    /// <summary>The fraction of rows whose largest entry is at the label.</summary>
    public static double Accuracy(Matrix<double> mean, IReadOnlyList<int> labels)
    {
        int right = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            right += mean.Row(i).MaximumIndex() == labels[i] ? 1 : 0;
        }

        return (double)right / labels.Count;
    }
}

/// <summary>Loss and accuracy of a mean on the training and test sets.</summary>
public sealed record DynamicsPoint(double TrainLoss, double TestLoss, double TrainAccuracy, double TestAccuracy);

/// <summary>`nngp dynamics --json`: the settings and every curve's numbers.</summary>
public sealed record DynamicsReport
{
    public required string Dataset { get; init; }

    public required int TrainSize { get; init; }

    public required int TestSize { get; init; }

    public required string Architecture { get; init; }

    public required string Regime { get; init; }

    public required double LearningRate { get; init; }

    public required double DiagReg { get; init; }

    public required double LargestEigenvalue { get; init; }

    public required double[] Times { get; init; }

    public required double[] TrainLoss { get; init; }

    public required double[] TestLoss { get; init; }

    public required double[] TrainAccuracy { get; init; }

    public required double[] TestAccuracy { get; init; }

    public required DynamicsPoint AtInfinity { get; init; }

    public required DynamicsPoint Posterior { get; init; }

    public required double PosteriorNoise { get; init; }
}
