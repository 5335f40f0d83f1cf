using GpuNngp.Data;

namespace GpuNngp.Experiments.Selection;

/// <summary>
/// One hyperparameter search as <c>nngp search</c> runs it: examples fitted on and examples held
/// out for the accuracy score, both from the training file as <see cref="Split"/> chooses them
/// (<see cref="DataSplit.LoadFitAndValidation"/>); the test set is never touched.
/// </summary>
public sealed record SearchSettings
{
    public string Dataset { get; init; } = "mnist10k";

    /// <summary>How the data set is split; null for its default (<see cref="DataSplit.DefaultSplit"/>).</summary>
    public SplitProtocol? Split { get; init; }

    /// <summary>
    /// Under the first-examples split, training examples used in all, the validation split
    /// included; under the paper's split, the size of its training subset alone.
    /// </summary>
    public int TrainSize { get; init; } = 2000;

    /// <summary>
    /// Examples scored by accuracy and never fitted on: the last of the training part under the
    /// first-examples split, the first of the paper's validation set under its split.
    /// </summary>
    public int ValidationSize { get; init; } = 1000;

    public string Activation { get; init; } = "relu";

    /// <summary>
    /// A whole network to search instead of the fully connected one of <see cref="Activation"/>:
    /// each point gives all its Conv and Dense layers the point's σw², σb² (<see cref="SearchedNetwork"/>),
    /// and the grid's one depth must be the network's. A convolutional one is put on the data set's images.
    /// </summary>
    public Network? Network { get; init; }

    public KernelKind Kind { get; init; } = KernelKind.Nngp;

    /// <summary>The convolutional kernel's precision on the CPU (<see cref="KernelOptions.Precision"/>).</summary>
    public KernelPrecision Precision { get; init; } = KernelPrecision.Double;

    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    public SearchGrid Grid { get; init; } = SearchGrid.Paper;

    /// <summary>
    /// <see cref="SearchScore.LogMarginalLikelihood"/>: every training example is fitted and no
    /// validation split is held out (<see cref="ValidationSize"/> is not used).
    /// </summary>
    public SearchScore Score { get; init; } = SearchScore.Accuracy;

    /// <summary>
    /// Training inputs (N×d; .npy, .csv) to search on instead of <see cref="Dataset"/>, used exactly as
    /// given, with <see cref="TrainTargets"/>: regression, scored by <see cref="SearchScore.LogMarginalLikelihood"/> alone.
    /// </summary>
    public string? TrainInputs { get; init; }

    /// <summary>The training targets (N×C; .npy, .csv) beside <see cref="TrainInputs"/>.</summary>
    public string? TrainTargets { get; init; }

    /// <summary>
    /// After the grid, maximise the log marginal likelihood from its best point by gradient
    /// (<see cref="MarginalLikelihoodOptimizer"/>) within the grid's ranges: the fully connected
    /// network of an activation with closed-form derivatives, NNGP only.
    /// </summary>
    public bool Optimize { get; init; }

    /// <summary>Where each finished point is appended as it finishes (<see cref="SearchCsv"/>).</summary>
    public required string CsvPath { get; init; }

    /// <summary>Continue from the points already in <see cref="CsvPath"/> instead of refusing to overwrite it.</summary>
    public bool Resume { get; init; }
}
