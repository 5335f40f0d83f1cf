
namespace GpuNngp.Data;

/// <summary>
/// The data split of the paper's MNIST experiments (Lee et al. 2018, its code brain-research/nngp,
/// <c>load_dataset.py</c>): the first <see cref="ValidationCount"/> images of the training file are
/// the validation set and the rest the training pool; a training size N takes the first N/10
/// images of each class 0–9 from the pool (the whole pool when N is its size), concatenated class
/// by class and shuffled with numpy's legacy generator seeded with <see cref="Seed"/>.
/// </summary>
/// <remarks>
/// Where the paper's code is silent the choice here is to refuse rather than to differ quietly:
/// it takes N // 10 per class, so an N that is not a multiple of 10 gives fewer than N examples
/// there, and a class with fewer than N/10 pool images gives fewer still; both are input errors
/// here. Its validation set is only ever scored, never fitted, which is what a search uses it for.
/// </remarks>
public static class PaperSplit
{
    /// <summary>The leading training images held out as the validation set.</summary>
    public const int ValidationCount = 10_000;

    /// <summary>The seed of <c>np.random.seed</c> before the shuffle in the paper's code.</summary>
    public const uint Seed = 9999;

    /// <summary>The classes the subset is balanced over (MNIST's digits 0–9).</summary>
    public const int Classes = 10;

    /// <summary>
    /// The training subset of size <paramref name="trainSize"/> as indices into the pool (0 is the
    /// first image after the validation set), in the paper's shuffled order.
    /// </summary>
    public static int[] TrainingIndices(IReadOnlyList<int> poolLabels, int trainSize)
    {
        ArgumentNullException.ThrowIfNull(poolLabels);
        int poolSize = poolLabels.Count;
        if (trainSize < 1 || trainSize > poolSize)
        {
            throw new NngpInputException($"the paper's split takes a training size from 1 to the pool's {poolSize} images (the training file less its first {ValidationCount}), got {trainSize}", nameof(trainSize));
        }

        bool wholePool = trainSize == poolSize;
        if (!wholePool && trainSize % Classes != 0)
        {
            throw new NngpInputException($"the paper's split takes N/{Classes} images of each class: the training size must be a multiple of {Classes} (or the whole pool of {poolSize}), got {trainSize}", nameof(trainSize));
        }

        var byClass = new List<int>[Classes];
        for (int c = 0; c < Classes; c++)
        {
            byClass[c] = [];
        }

        for (int i = 0; i < poolSize; i++)
        {
            int label = poolLabels[i];
            if (label is < 0 or >= Classes)
            {
                throw new NngpInputException($"the paper's split is defined for classes 0–{Classes - 1}: pool image {i + 1} has label {label}");
            }

            byClass[label].Add(i);
        }

        int perClass = trainSize / Classes;
        var indices = new int[trainSize];
        int filled = 0;
        for (int c = 0; c < Classes; c++)
        {
            int take = wholePool ? byClass[c].Count : perClass;
            if (take > byClass[c].Count)
            {
                throw new NngpInputException($"the paper's split takes {perClass} images of each class, but the pool has only {byClass[c].Count} of class {c}: use a training size up to {Classes * byClass.Min(m => m.Count)}, or the whole pool of {poolSize}");
            }

            byClass[c].CopyTo(0, indices, filled, take);
            filled += take;
        }

        new NumpyLegacyRandom(Seed).Shuffle(indices.AsSpan());
        return indices;
    }

    /// <summary>
    /// The rows of the training file the subset consists of, given every label of that file: the
    /// pool indices of <see cref="TrainingIndices"/> shifted past the validation set.
    /// </summary>
    public static int[] TrainingRows(IReadOnlyList<int> trainingFileLabels, int trainSize)
    {
        ArgumentNullException.ThrowIfNull(trainingFileLabels);
        if (trainingFileLabels.Count <= ValidationCount)
        {
            throw new NngpInputException($"the paper's split needs more than {ValidationCount} training images (the first {ValidationCount} are its validation set); this training file has {trainingFileLabels.Count}");
        }

        var pool = new ArraySegment<int>([.. trainingFileLabels], ValidationCount, trainingFileLabels.Count - ValidationCount);
        var rows = TrainingIndices(pool, trainSize);
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] += ValidationCount;
        }

        return rows;
    }
}
