using GpuNngp.Data;
using GpuNngp.Engine.Tests.Cli;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

/// <summary>The data sets keep each file's image shape, for a convolutional network to be put on.</summary>
public sealed class LabeledImagesShapeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TheEmbeddedMnist_Is28By28By1_AndASliceKeepsIt()
    {
        var split = DataSplit.Load(DataSplit.Mnist10kName, 5, 3);
        Assert.Equal(new ImageDimensions(28, 28, 1), split.Train.Shape);
        Assert.Equal(new ImageDimensions(28, 28, 1), split.Test.Shape);
        var images = split.Train.Slice(1, 2).AsImages("the training set");
        Assert.Equal((2, 28, 28, 1), (images.Count, images.Height, images.Width, images.Channels));
        Assert.Equal(split.Train.Images.Row(1), images.Pixels.Row(0));
    }

    [Theory]
    [InlineData(1, 6, 6, 1)]
    [InlineData(3, 6, 6, 3)]
    public void ADirectorysIdxFiles_GiveTheirShape_UnderEitherSplit(int channels, int height, int width, int expectedChannels)
    {
        ImageDatasetFiles.Write(_temp.Path, train: 9, test: 3, side: 6, trainChannels: channels, testChannels: channels);
        var split = DataSplit.Load(_temp.Path, 9, 3);
        Assert.Equal(new ImageDimensions(height, width, expectedChannels), split.Train.Shape);
        Assert.Equal(new ImageDimensions(height, width, expectedChannels), split.Test.Shape);
        Assert.Equal(new ImageDimensions(height, width, expectedChannels), DataSplit.LoadTraining(_temp.Path, 9).SplitLast(3).Validation.Shape);
    }

    [Fact]
    public void FlatRows_HaveNoShape_AndAreNoImages()
    {
        ImageDatasetFiles.Write(_temp.Path, train: 6, test: 3, trainChannels: 0, testChannels: 0);
        var train = DataSplit.Load(_temp.Path, 6, 3).Train;
        Assert.Null(train.Shape);
        var error = Assert.Throws<NngpInputException>(() => train.AsImages("the training set"));
        Assert.StartsWith("the training set has flat rows of 64 values, not images", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AShapeThatDoesNotMakeARow_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new LabeledImages(Matrix<double>.Build.Dense(2, 10), [0, 1], new ImageDimensions(3, 3, 1)));
}
