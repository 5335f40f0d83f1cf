using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Data;

/// <summary>
/// A deterministic train/test split, so that a result reproduces on every machine. Under
/// <see cref="SplitProtocol.First"/> (DESIGN §5): with one pool (mnist10k) training takes the first
/// N examples and test the last M; with separate files (MNIST, Fashion-MNIST, or any directory of
/// MNIST-format files) training takes the first N of the training file and test the first M of the
/// test file. Under <see cref="SplitProtocol.Paper"/> training is <see cref="PaperSplit"/>'s subset
/// and test the first M of the test file, as the paper's code takes its evaluation examples.
/// </summary>
public sealed record DataSplit(LabeledImages Train, LabeledImages Test)
{
    /// <summary>The dataset name of the embedded sample.</summary>
    public const string Mnist10kName = "mnist10k";

    /// <summary>The dataset name of full MNIST at <see cref="Datasets.MnistDirectory"/>.</summary>
    public const string MnistName = "mnist";

    /// <summary>The dataset name of Fashion-MNIST at its package location.</summary>
    public const string FashionMnistName = "fashion-mnist";

    /// <summary>
    /// The split a data set gets when none is named: the paper's for <c>mnist</c>, whose table it
    /// reproduces, and the first examples for every other (as before full MNIST existed).
    /// </summary>
    public static SplitProtocol DefaultSplit(string dataset) =>
        string.Equals(dataset, MnistName, StringComparison.OrdinalIgnoreCase) ? SplitProtocol.Paper : SplitProtocol.First;

    /// <summary>
    /// Loads <paramref name="trainSize"/> training and <paramref name="testSize"/> test examples of
    /// <paramref name="dataset"/>: <c>mnist10k</c>, <c>mnist</c>, <c>fashion-mnist</c> or a directory
    /// path holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
    /// t10k-labels-idx1-ubyte (each optionally .gz), split by <paramref name="split"/> (the data
    /// set's <see cref="DefaultSplit"/> when null). Sizes below 1 or beyond the data are
    /// <see cref="NngpInputException"/>s.
    /// </summary>
    public static DataSplit Load(string dataset, int trainSize, int testSize, SplitProtocol? split = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        CheckSize(trainSize, "training", nameof(trainSize));
        CheckSize(testSize, "test", nameof(testSize));
        var protocol = split ?? DefaultSplit(dataset);
        if (IsMnist10k(dataset))
        {
            RefusePaperSplitOfOnePool(protocol);
            if ((long)trainSize + testSize > Datasets.Mnist10kCount)
            {
                throw new NngpInputException(
                    $"{Mnist10kName} has {Datasets.Mnist10kCount} examples: training size {trainSize} + test size {testSize} = {(long)trainSize + testSize} is more than that");
            }

            var pool = Datasets.Mnist10k();
            return new DataSplit(pool.Slice(0, trainSize), pool.Slice(pool.Count - testSize, testSize));
        }

        var folder = Folder(dataset);
        var train = protocol == SplitProtocol.Paper
            ? Datasets.LoadRows(folder, Datasets.TrainImages, Datasets.TrainLabels, labels => PaperSplit.TrainingRows(labels, trainSize))
            : Datasets.LoadFiles(folder, Datasets.TrainImages, Datasets.TrainLabels, trainSize);
        return new DataSplit(train, Datasets.LoadFiles(folder, Datasets.TestImages, Datasets.TestLabels, testSize));
    }

    /// <summary>
    /// The examples a hyperparameter search fits on and scores by accuracy, without reading the
    /// test file. Under <see cref="SplitProtocol.First"/> the first <paramref name="trainSize"/>
    /// training examples, of which the last <paramref name="validationSize"/> are the validation
    /// ones (<see cref="LoadTraining"/>, <see cref="LabeledImages.SplitLast"/>); under
    /// <see cref="SplitProtocol.Paper"/> the paper's training subset of size
    /// <paramref name="trainSize"/>, and the first <paramref name="validationSize"/> images of its
    /// validation set.
    /// </summary>
    public static (LabeledImages Fit, LabeledImages Validation) LoadFitAndValidation(string dataset, int trainSize, int validationSize, SplitProtocol? split = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        var protocol = split ?? DefaultSplit(dataset);
        if (protocol == SplitProtocol.First)
        {
            return LoadTraining(dataset, trainSize).SplitLast(validationSize);
        }

        CheckSize(trainSize, "training", nameof(trainSize));
        if (IsMnist10k(dataset))
        {
            RefusePaperSplitOfOnePool(protocol);
        }

        if (validationSize < 1 || validationSize > PaperSplit.ValidationCount)
        {
            throw new NngpInputException($"the paper's split has {PaperSplit.ValidationCount} validation images: the validation size must be from 1 to {PaperSplit.ValidationCount}, got {validationSize}", nameof(validationSize));
        }

        // One read of the training file: the subset's rows, then the leading validation rows.
        var both = Datasets.LoadRows(Folder(dataset), Datasets.TrainImages, Datasets.TrainLabels,
            labels => [.. PaperSplit.TrainingRows(labels, trainSize), .. Enumerable.Range(0, validationSize)]);
        return (both.Slice(0, trainSize), both.Slice(trainSize, validationSize));
    }

    /// <summary>
    /// The first <paramref name="trainSize"/> training examples alone, as <see cref="Load"/> takes
    /// them under <see cref="SplitProtocol.First"/>, for work that never looks at the test set: the
    /// test file is not read.
    /// </summary>
    public static LabeledImages LoadTraining(string dataset, int trainSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        CheckSize(trainSize, "training", nameof(trainSize));
        if (IsMnist10k(dataset))
        {
            if (trainSize > Datasets.Mnist10kCount)
            {
                throw new NngpInputException($"{Mnist10kName} has {Datasets.Mnist10kCount} examples: training size {trainSize} is more than that", nameof(trainSize));
            }

            return Datasets.Mnist10k().Slice(0, trainSize);
        }

        return Datasets.LoadFiles(Folder(dataset), Datasets.TrainImages, Datasets.TrainLabels, trainSize);
    }

    /// <summary>
    /// The number of test examples <paramref name="dataset"/> has (10,000 for MNIST, all of which
    /// the paper evaluates on), read from its test labels file; for mnist10k its whole pool.
    /// </summary>
    public static int TestCount(string dataset)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        return IsMnist10k(dataset) ? Datasets.Mnist10kCount : Datasets.CountExamples(Folder(dataset), Datasets.TestLabels);
    }

    private static void RefusePaperSplitOfOnePool(SplitProtocol protocol)
    {
        if (protocol == SplitProtocol.Paper)
        {
            throw new NngpInputException(
                $"the paper's split needs separate training and test files ({MnistName}, {FashionMnistName} or a directory); {Mnist10kName} is one pool of {Datasets.Mnist10kCount} examples: use SplitProtocol.First", "split");
        }
    }

    private static bool IsMnist10k(string dataset) => string.Equals(dataset, Mnist10kName, StringComparison.OrdinalIgnoreCase);

    private static void CheckSize(int size, string which, string parameter)
    {
        if (size < 1)
        {
            throw new NngpInputException($"{which} size must be at least 1, got {size}", parameter);
        }
    }

    /// <summary>The directory of a separate-files data set: MNIST's or Fashion-MNIST's standard location, or a directory given by path.</summary>
    private static string Folder(string dataset)
    {
        string? directory;
        if (string.Equals(dataset, MnistName, StringComparison.OrdinalIgnoreCase))
        {
            return Datasets.ResolveMnistDirectory();
        }

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
                $"unknown dataset '{dataset}': use {Mnist10kName}, {MnistName}, {FashionMnistName} or a directory holding {Datasets.TrainImages}(.gz) and the other MNIST-format files", nameof(dataset));
        }

        return Datasets.ResolveDirectory(directory);
    }

    /// <summary>Deconstructs into the training and the test images and labels: <c>var (xTrain, yTrain, xTest, yTest) = split;</c>.</summary>
    /// <param name="trainImages">The training images, one per row.</param>
    /// <param name="trainLabels">The training labels, one per row of <paramref name="trainImages"/>.</param>
    /// <param name="testImages">The test images, one per row.</param>
    /// <param name="testLabels">The test labels, one per row of <paramref name="testImages"/>.</param>
    public void Deconstruct(out Matrix<double> trainImages, out int[] trainLabels, out Matrix<double> testImages, out int[] testLabels)
    {
        trainImages = Train.Images;
        trainLabels = Train.Labels;
        testImages = Test.Images;
        testLabels = Test.Labels;
    }
}
