
namespace GpuNngp.Experiments.Evaluation;

/// <summary>
/// The classes of an experiment: those of its training labels, 0..C−1. A test (or validation) point
/// of a class no training example has could never be predicted right: it is refused, not counted wrong.
/// </summary>
internal static class ExperimentClasses
{
    /// <summary>C = the largest training label + 1, after checking that every scored label is a trained class.</summary>
    public static int Count(IReadOnlyList<int> trainLabels, IReadOnlyList<int> scoredLabels, string scoredWhat)
    {
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(scoredLabels);
        int classes = trainLabels.Max() + 1;
        var trained = new bool[classes];
        foreach (int label in trainLabels)
        {
            trained[label] = true;
        }

        for (int i = 0; i < scoredLabels.Count; i++)
        {
            int label = scoredLabels[i];
            if (label < 0 || label >= classes || !trained[label])
            {
                throw new NngpInputException(
                    $"{scoredWhat} label {i + 1} is class {label}, which none of the {trainLabels.Count} training examples has: it could only be counted wrong; use a larger training size");
            }
        }

        return classes;
    }
}
