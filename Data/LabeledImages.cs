using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Data;

/// <summary>
/// A labelled image set: <see cref="Images"/> has one row per example (N×784 for MNIST-style
/// 28×28 images, raw pixel values 0..255 as doubles) and <see cref="Labels"/> the class of each row.
/// The two are fixed at construction (no <c>with</c> setters) so they cannot drift out of step.
/// <see cref="Shape"/> is each image's height, width and channels where the file says them (an IDX
/// images file of N × H × W or N × H × W × C), so a convolutional network can be put on them.
/// </summary>
public sealed record LabeledImages(Matrix<double> Images, int[] Labels)
{
    /// <summary>The examples with the shape of each image; the shape's values must make a row.</summary>
    public LabeledImages(Matrix<double> images, int[] labels, ImageDimensions? shape)
        : this(images, labels)
    {
        if (shape is { } s && (long)s.Height * s.Width * s.Channels != images.ColumnCount)
        {
            throw new ArgumentException($"{images.ColumnCount} values per row do not make {s} images", nameof(shape));
        }

        Shape = shape;
    }

    /// <summary>One example per row (raw pixel values as doubles for the IDX data sets).</summary>
    public Matrix<double> Images { get; } = Images ?? throw new ArgumentNullException(nameof(Images));

    /// <summary>Each image's height, width and channels; null when the file held flat rows (N × d).</summary>
    public ImageDimensions? Shape { get; }

    /// <summary>The class of each row of <see cref="Images"/>.</summary>
    public int[] Labels { get; } = Labels ?? throw new ArgumentNullException(nameof(Labels));

    /// <summary>The number of examples; checked against the label count on construction.</summary>
    public int Count { get; } = CheckedCount(Images, Labels);

    /// <summary>Examples <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> − 1, copied.</summary>
    public LabeledImages Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)start + count, Count);
        return new LabeledImages(
            Images.SubMatrix(start, count, 0, Images.ColumnCount),
            Labels.AsSpan(start, count).ToArray(),
            Shape);
    }

    /// <summary>
    /// The examples as images for a convolutional network; <paramref name="what"/> names them in the
    /// error when the file gave no image shape.
    /// </summary>
    public ImageSet AsImages(string what) => Shape is { } s
        ? new ImageSet(Images, s.Height, s.Width, s.Channels)
        : throw new NngpInputException($"{what} has flat rows of {Images.ColumnCount} values, not images: a convolutional network needs an N × H × W (or N × H × W × C) images file");

    /// <summary>
    /// Splits off the last <paramref name="validationSize"/> examples as a validation set (DESIGN §5:
    /// validation comes from the end of the training part, never from the test examples); the rest
    /// is what the model is fitted on.
    /// </summary>
    public (LabeledImages Fit, LabeledImages Validation) SplitLast(int validationSize)
    {
        if (validationSize < 1 || validationSize >= Count)
        {
            throw new NngpInputException(
                $"validation size {validationSize} must be between 1 and {Count - 1} (the training part has {Count} examples and needs at least one left to fit)", "validationSize");
        }

        int fit = Count - validationSize;
        return (Slice(0, fit), Slice(fit, validationSize));
    }

    private static int CheckedCount(Matrix<double>? images, int[]? labels)
    {
        if (images is not null && labels is not null && images.RowCount != labels.Length)
        {
            throw new ArgumentException(
                $"{images.RowCount} images but {labels.Length} labels", nameof(Labels));
        }

        return labels?.Length ?? 0;
    }
}
