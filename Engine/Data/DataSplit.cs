using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Data;

/// <summary>
/// A deterministic train/test split (DESIGN §5), so that a result reproduces on every machine:
/// with one pool (mnist10k) training takes the first N examples and test the last M; with separate
/// files (Fashion-MNIST, or any directory of MNIST-format files) training takes the first N of the
/// training file and test the first M of the test file.
/// </summary>
public sealed record DataSplit(LabeledImages Train, LabeledImages Test)
{
    /// <summary>The dataset name of the embedded sample.</summary>
    public const string Mnist10kName = "mnist10k";

    /// <summary>The dataset name of Fashion-MNIST at its package location.</summary>
    public const string FashionMnistName = "fashion-mnist";

    /// <summary>
    /// Loads <paramref name="trainSize"/> training and <paramref name="testSize"/> test examples of
    /// <paramref name="dataset"/>: <c>mnist10k</c>, <c>fashion-mnist</c> or a directory path holding
    /// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
    /// t10k-labels-idx1-ubyte (each optionally .gz). Sizes below 1 or beyond the data are
    /// <see cref="NngpInputException"/>s.
    /// </summary>
    public static DataSplit Load(string dataset, int trainSize, int testSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        CheckSize(trainSize, "training");
        CheckSize(testSize, "test");
        if (IsMnist10k(dataset))
        {
            if ((long)trainSize + testSize > Datasets.Mnist10kCount)
            {
                throw new NngpInputException(
                    $"{Mnist10kName} has {Datasets.Mnist10kCount} examples: training size {trainSize} + test size {testSize} = {(long)trainSize + testSize} is more than that");
            }

            var pool = Datasets.Mnist10k();
            return new DataSplit(pool.Slice(0, trainSize), pool.Slice(pool.Count - testSize, testSize));
        }

        var folder = Folder(dataset);
        return new DataSplit(
            Datasets.LoadFiles(folder, Datasets.TrainImages, Datasets.TrainLabels, trainSize),
            Datasets.LoadFiles(folder, Datasets.TestImages, Datasets.TestLabels, testSize));
    }

    /// <summary>
    /// The first <paramref name="trainSize"/> training examples alone, as <see cref="Load"/> takes
    /// them, for work that never looks at the test set (a hyperparameter search): the test file is
    /// not read.
    /// </summary>
    public static LabeledImages LoadTraining(string dataset, int trainSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        CheckSize(trainSize, "training");
        if (IsMnist10k(dataset))
        {
            if (trainSize > Datasets.Mnist10kCount)
            {
                throw new NngpInputException($"{Mnist10kName} has {Datasets.Mnist10kCount} examples: training size {trainSize} is more than that");
            }

            return Datasets.Mnist10k().Slice(0, trainSize);
        }

        return Datasets.LoadFiles(Folder(dataset), Datasets.TrainImages, Datasets.TrainLabels, trainSize);
    }

    private static bool IsMnist10k(string dataset) => string.Equals(dataset, Mnist10kName, StringComparison.OrdinalIgnoreCase);

    private static void CheckSize(int size, string which)
    {
        if (size < 1)
        {
            throw new NngpInputException($"{which} size must be at least 1, got {size}");
        }
    }

    /// <summary>The directory of a separate-files data set: Fashion-MNIST's package location, or a directory given by path.</summary>
    private static string Folder(string dataset)
    {
        string? directory;
        if (string.Equals(dataset, FashionMnistName, StringComparison.OrdinalIgnoreCase))
        {
            directory = null;
        }
        else if (Directory.Exists(dataset))
        {
            directory = dataset;
        }
        else
        {
            throw new NngpInputException(
                $"unknown dataset '{dataset}': use {Mnist10kName}, {FashionMnistName} or a directory holding {Datasets.TrainImages}(.gz) and the other MNIST-format files");
        }

        return Datasets.ResolveDirectory(directory);
    }

    public void Deconstruct(out Matrix<double> trainImages, out int[] trainLabels, out Matrix<double> testImages, out int[] testLabels)
    {
        trainImages = Train.Images;
        trainLabels = Train.Labels;
        testImages = Test.Images;
        testLabels = Test.Labels;
    }
}
