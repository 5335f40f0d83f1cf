using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;

namespace GpuNngp.Engine.Selection;

/// <summary>
/// One hyperparameter search as <c>nngp search</c> runs it: the first <see cref="TrainSize"/>
/// training examples of a data set, of which the last <see cref="ValidationSize"/> are held out for
/// the accuracy score; the test set is never touched.
/// </summary>
public sealed record SearchSettings
{
    public string Dataset { get; init; } = "mnist10k";

    /// <summary>Training examples used in all, the validation split included.</summary>
    public int TrainSize { get; init; } = 2000;

    /// <summary>The last examples of the training part, scored by accuracy and never fitted on.</summary>
    public int ValidationSize { get; init; } = 1000;

    public string Activation { get; init; } = "relu";

    public KernelKind Kind { get; init; } = KernelKind.Nngp;

    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    public SearchGrid Grid { get; init; } = SearchGrid.Paper;

    /// <summary>Where each finished point is appended as it finishes (<see cref="SearchCsv"/>).</summary>
    public required string CsvPath { get; init; }

    /// <summary>Continue from the points already in <see cref="CsvPath"/> instead of refusing to overwrite it.</summary>
    public bool Resume { get; init; }
}
