using GpuNngp.Data;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Experiments.Evaluation;

/// <summary>
/// A training/test split as the paper's protocol feeds it to a kernel (DESIGN.md §1): each image
/// standardised over its pixels, the labels as one-hot targets minus 0.1.
/// </summary>
/// <param name="TrainX">The training images, one standardised row each.</param>
/// <param name="TrainY">The training targets, N × classes.</param>
/// <param name="TestX">The test images, one standardised row each.</param>
/// <param name="TestY">The test targets, M × classes.</param>
/// <param name="Classes">The number of classes (outputs).</param>
public sealed record PreparedSplit(Matrix<double> TrainX, Matrix<double> TrainY, Matrix<double> TestX, Matrix<double> TestY, int Classes)
{
    /// <summary>Prepares <paramref name="split"/> with <paramref name="classes"/> outputs, or as many as the largest label needs.</summary>
    public static PreparedSplit Of(DataSplit split, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        int outputs = classes ?? (Math.Max(split.Train.Labels.Max(), split.Test.Labels.Length == 0 ? 0 : split.Test.Labels.Max()) + 1);
        return new PreparedSplit(
            Preprocessing.StandardisePerExample(split.Train.Images),
            Preprocessing.OneHotTargets(split.Train.Labels, outputs),
            Preprocessing.StandardisePerExample(split.Test.Images),
            Preprocessing.OneHotTargets(split.Test.Labels, outputs),
            outputs);
    }
}
