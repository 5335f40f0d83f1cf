
namespace GpuNngp.Data;

/// <summary>
/// Class labels checked where they are read: integers that number the classes 0..C−1, every class
/// with at least one example in the file. A corrupt label (200 in a 10-class file) would otherwise
/// add 191 empty classes to the GP's outputs.
/// </summary>
public static class ClassLabels
{
    /// <summary>The most classes a labels file may number (the one-hot targets are N × C).</summary>
    public const int MaxClasses = 1 << 16;

    /// <summary>
    /// The first <paramref name="take"/> labels, after checking every label in the file; with
    /// <paramref name="everyClass"/> (a training file) also that each class 0..C−1 has an example.
    /// </summary>
    internal static int[] FromFile(IdxArray labels, string labelsName, int take, bool everyClass)
    {
        int count = labels.Dimensions[0];
        var perClass = new int[MaxClasses];
        int classes = 0;
        for (int i = 0; i < count; i++)
        {
            double label = labels[i];
            if (label < 0 || label >= MaxClasses || label != Math.Floor(label))
            {
                throw new NngpInputException(FormattableString.Invariant(
                    $"{labelsName}: label {i + 1} is {label}, not a class index (an integer from 0 to {MaxClasses - 1})"));
            }

            perClass[(int)label]++;
            classes = Math.Max(classes, (int)label + 1);
        }

        int empty = everyClass ? Array.IndexOf(perClass, 0, 0, classes) : -1;
        if (empty >= 0)
        {
            int example = FirstIndexOf(labels, classes - 1);
            throw new NngpInputException(FormattableString.Invariant(
                $"{labelsName}: label {example + 1} is {classes - 1}, but no example has class {empty}: the labels must number the classes 0..C−1 (is the file corrupt?)"));
        }

        var values = new int[take];
        for (int i = 0; i < take; i++)
        {
            values[i] = (int)labels[i];
        }

        return values;
    }

    /// <summary>
    /// Checks predicted-against-true labels as a library caller passes them: one label per prediction,
    /// each a class index below <paramref name="classes"/>.
    /// </summary>
    public static void CheckAgainst(IReadOnlyList<int> labels, int expectedCount, int classes, string what)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != expectedCount)
        {
            throw new NngpInputException($"{what}: {labels.Count} labels for {expectedCount} points");
        }

        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes)
            {
                throw new NngpInputException($"{what}: label {i + 1} is {labels[i]}, outside the {classes} classes 0..{classes - 1} of the targets");
            }
        }
    }

    private static int FirstIndexOf(IdxArray labels, int label)
    {
        for (int i = 0; i < labels.Dimensions[0]; i++)
        {
            if ((int)labels[i] == label)
            {
                return i;
            }
        }

        return -1;
    }
}
