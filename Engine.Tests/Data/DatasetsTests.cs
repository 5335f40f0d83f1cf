using GpuNngp.Data;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

public class DatasetsTests
{
    [Fact]
    public void EmbeddedMnistHasTenThousandDigitsWithTheKnownLabelCounts()
    {
        var mnist = Datasets.Mnist10k();

        Assert.Equal(10_000, mnist.Count);
        Assert.Equal(10_000, mnist.Images.RowCount);
        Assert.Equal(784, mnist.Images.ColumnCount);
        var counts = new int[10];
        foreach (var label in mnist.Labels)
        {
            counts[label]++;
        }

        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], counts);
        var pixels = mnist.Images.AsColumnMajorArray()!;
        Assert.All(pixels, p => Assert.True(p is >= 0 and <= 255 && p == Math.Floor(p)));
        Assert.Equal(255, pixels.Max());
        // Real digits: mostly background, a few hundred lit pixels per image.
        double lit = pixels.Count(p => p > 0) / 10_000.0;
        Assert.InRange(lit, 100, 250);
    }

    [Fact]
    public void Mnist10kSplitTakesFirstNAndLastM()
    {
        var pool = Datasets.Mnist10k();

        var split = DataSplit.Load("mnist10k", 100, 30);
        var (trainImages, trainLabels, testImages, testLabels) = split;

        Assert.Equal(pool.Images.SubMatrix(0, 100, 0, 784), trainImages);
        Assert.Equal(pool.Labels[..100], trainLabels);
        Assert.Equal(pool.Images.SubMatrix(9970, 30, 0, 784), testImages);
        Assert.Equal(pool.Labels[9970..], testLabels);
    }

    [Fact]
    public void Mnist10kSplitCanUseEveryExampleButNoMore()
    {
        var split = DataSplit.Load("MNIST10K", 9000, 1000);
        Assert.Equal(9000, split.Train.Count);
        Assert.Equal(1000, split.Test.Count);

        var error = Assert.Throws<NngpInputException>(() => DataSplit.Load("mnist10k", 9001, 1000));
        Assert.Contains("10000", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 10, "training size must be at least 1")]
    [InlineData(10, 0, "test size must be at least 1")]
    [InlineData(-5, 10, "training size")]
    public void SizesBelowOneAreErrors(int train, int test, string expected)
    {
        var error = Assert.Throws<NngpInputException>(() => DataSplit.Load("mnist10k", train, test));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownDatasetIsAnError()
    {
        var error = Assert.Throws<NngpInputException>(() => DataSplit.Load("cifar-10-" + Guid.NewGuid().ToString("N"), 10, 10));
        Assert.Contains("unknown dataset", error.Message, StringComparison.Ordinal);
        Assert.Contains("mnist10k", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidationComesFromTheEndOfTheTrainingPart()
    {
        var training = DataSplit.LoadTraining("mnist10k", 50);

        var (fit, validation) = training.SplitLast(10);

        Assert.Equal(DataSplit.Load("mnist10k", 50, 20).Train.Labels, training.Labels); // the same examples Load trains on
        Assert.Equal(40, fit.Count);
        Assert.Equal(10, validation.Count);
        Assert.Equal(training.Images.SubMatrix(40, 10, 0, 784), validation.Images);
        Assert.Equal(training.Labels[40..], validation.Labels);
        Assert.Equal(training.Labels[..40], fit.Labels);
        Assert.Throws<NngpInputException>(() => training.SplitLast(50));
        Assert.Throws<NngpInputException>(() => training.SplitLast(0));
        Assert.Contains("10000 examples", Assert.Throws<NngpInputException>(() => DataSplit.LoadTraining("mnist10k", 10_001)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabeledImagesRejectsMismatchedCounts()
    {
        var images = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(3, 4);
        Assert.Throws<ArgumentException>(() => new LabeledImages(images, [1, 2]));
    }

    private static void WriteSet(string directory, string images, string labels, int count, bool gzip, int labelCount = -1)
    {
        // Image i has every pixel equal to i, label i % 10: a split that takes the wrong examples shows.
        var pixels = new byte[count * 4];
        for (int i = 0; i < count; i++)
        {
            pixels.AsSpan(4 * i, 4).Fill((byte)i);
        }

        labelCount = labelCount < 0 ? count : labelCount;
        var labelBytes = Enumerable.Range(0, labelCount).Select(i => (byte)(i % 10)).ToArray();
        var imageFile = TestFiles.Idx(0x08, [count, 2, 2], pixels);
        var labelFile = TestFiles.Idx(0x08, [labelCount], labelBytes);
        File.WriteAllBytes(Path.Combine(directory, images + (gzip ? ".gz" : "")), gzip ? TestFiles.Gzip(imageFile) : imageFile);
        File.WriteAllBytes(Path.Combine(directory, labels + (gzip ? ".gz" : "")), gzip ? TestFiles.Gzip(labelFile) : labelFile);
    }

    [Fact]
    public void DirectoryOfSeparateFilesTakesTheFirstNAndFirstM()
    {
        using var dir = new TempDirectory();
        WriteSet(dir.Path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", 12, gzip: true);
        WriteSet(dir.Path, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 5, gzip: false);

        var split = DataSplit.Load(dir.Path, 11, 3);

        Assert.Equal(11, split.Train.Count);
        Assert.Equal(4, split.Train.Images.ColumnCount);
        Assert.Equal(10, split.Train.Images[10, 3]);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0], split.Train.Labels);
        Assert.Equal(3, split.Test.Count);
        Assert.Equal([0.0, 1, 2], split.Test.Images.Column(0).ToArray());

        var (train, test) = Datasets.FashionMnist(dir.Path);
        Assert.Equal(12, train.Count);
        Assert.Equal(5, test.Count);

        Assert.Contains("13 examples requested, the file has 12",
            Assert.Throws<NngpInputException>(() => DataSplit.Load(dir.Path, 13, 3)).Message, StringComparison.Ordinal);
        Assert.Contains("6 examples requested, the file has 5",
            Assert.Throws<NngpInputException>(() => DataSplit.Load(dir.Path, 3, 6)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MismatchedImageAndLabelCountsAreAnError()
    {
        using var dir = new TempDirectory();
        WriteSet(dir.Path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", 6, gzip: false, labelCount: 5);
        WriteSet(dir.Path, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 3, gzip: false);

        var error = Assert.Throws<NngpInputException>(() => Datasets.FashionMnist(dir.Path));

        Assert.Contains("5 labels, but", error.Message, StringComparison.Ordinal);
        Assert.Contains("has 6 images", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDirectoryOrFileIsAnError()
    {
        using var dir = new TempDirectory();
        var missing = Path.Combine(dir.Path, "nothing");
        Assert.Contains("directory not found",
            Assert.Throws<NngpInputException>(() => Datasets.FashionMnist(missing)).Message, StringComparison.Ordinal);

        WriteSet(dir.Path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", 6, gzip: false);
        Assert.Contains("neither t10k-images-idx3-ubyte nor t10k-images-idx3-ubyte.gz",
            Assert.Throws<NngpInputException>(() => Datasets.FashionMnist(dir.Path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FashionMnistFromThePackageHas60000And10000()
    {
        Assert.SkipUnless(Directory.Exists(Datasets.DefaultFashionMnistDirectory),
            $"{Datasets.DefaultFashionMnistDirectory} is absent (apt-get install dataset-fashion-mnist)");

        var (train, test) = Datasets.FashionMnist();

        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(784, train.Images.ColumnCount);
        Assert.Equal(784, test.Images.ColumnCount);
        Assert.All(train.Labels, l => Assert.InRange(l, 0, 9));
        // Fashion-MNIST is balanced: 6000 training and 1000 test examples per class.
        Assert.All(train.Labels.GroupBy(l => l), g => Assert.Equal(6000, g.Count()));
        Assert.All(test.Labels.GroupBy(l => l), g => Assert.Equal(1000, g.Count()));

        var split = DataSplit.Load("fashion-mnist", 100, 50);
        Assert.Equal(train.Images.SubMatrix(0, 100, 0, 784), split.Train.Images);
        Assert.Equal(test.Labels[..50], split.Test.Labels);
    }
}
