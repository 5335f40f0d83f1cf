using System.Reflection;

namespace GpuNngp.Engine.Data;

/// <summary>
/// The labelled image sets the engine knows by name: the 10,000 MNIST digits embedded in this
/// assembly (so a first run needs no download) and Fashion-MNIST as the Debian package
/// <c>dataset-fashion-mnist</c> installs it, or any directory holding the four MNIST-format files.
/// </summary>
public static class Datasets
{
    /// <summary>Where <c>apt-get install dataset-fashion-mnist</c> puts the files.</summary>
    public const string DefaultFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The number of examples in the embedded MNIST sample.</summary>
    public const int Mnist10kCount = 10_000;

    internal const string Mnist10kImagesResource = "GpuNngp.Data.mnist10k-images-idx3-ubyte.gz";
    internal const string Mnist10kLabelsResource = "GpuNngp.Data.mnist10k-labels-idx1-ubyte.gz";

    internal const string TrainImages = "train-images-idx3-ubyte";
    internal const string TrainLabels = "train-labels-idx1-ubyte";
    internal const string TestImages = "t10k-images-idx3-ubyte";
    internal const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>
    /// The embedded sample: 10,000 real MNIST digits in a fixed shuffled order, 784 raw pixel values
    /// (0..255) per row, labels 0–9.
    /// </summary>
    public static LabeledImages Mnist10k()
    {
        var images = ReadResource(Mnist10kImagesResource);
        var labels = ReadResource(Mnist10kLabelsResource);
        return Pair(images, "mnist10k images", labels, "mnist10k labels", images.Dimensions[0], everyClass: true);
    }

    /// <summary>
    /// Fashion-MNIST's 60,000 training and 10,000 test images from <paramref name="directory"/>, or
    /// from <see cref="DefaultFashionMnistDirectory"/> when it is null. Each file may be gzipped or not.
    /// </summary>
    public static (LabeledImages Train, LabeledImages Test) FashionMnist(string? directory = null)
    {
        var folder = ResolveDirectory(directory);
        return (LoadFiles(folder, TrainImages, TrainLabels, null), LoadFiles(folder, TestImages, TestLabels, null));
    }

    /// <summary>
    /// The directory of a separate-files data set: the named one, or the Fashion-MNIST package's when
    /// null. A missing directory is an error that says how to get the data.
    /// </summary>
    internal static string ResolveDirectory(string? directory)
    {
        if (directory is null)
        {
            if (!Directory.Exists(DefaultFashionMnistDirectory))
            {
                throw new NngpInputException(
                    $"Fashion-MNIST not found in {DefaultFashionMnistDirectory}: install it with `sudo apt-get install dataset-fashion-mnist` or name a directory that holds its IDX files");
            }

            return DefaultFashionMnistDirectory;
        }

        if (!Directory.Exists(directory))
        {
            throw new NngpInputException(
                $"{directory}: directory not found (it should hold {TrainImages}, {TrainLabels}, {TestImages} and {TestLabels}, each optionally .gz)");
        }

        return directory;
    }

    /// <summary>
    /// Reads one images/labels pair from a directory, materialising only the first
    /// <paramref name="take"/> examples (all when null): a 1,000-example run on Fashion-MNIST
    /// should not hold 60,000 images as doubles.
    /// </summary>
    internal static LabeledImages LoadFiles(string directory, string imagesBase, string labelsBase, int? take)
    {
        var imagesPath = Find(directory, imagesBase);
        var labelsPath = Find(directory, labelsBase);
        var images = IdxReader.Read(imagesPath);
        var labels = IdxReader.Read(labelsPath);
        int available = images.Dimensions[0];
        if (take > available)
        {
            throw new NngpInputException(
                $"{imagesPath}: {take} examples requested, the file has {available}");
        }

        return Pair(images, imagesPath, labels, labelsPath, take ?? available, everyClass: labelsBase != TestLabels);
    }

    private static string Find(string directory, string baseName)
    {
        var plain = Path.Combine(directory, baseName);
        if (File.Exists(plain))
        {
            return plain;
        }

        var gzipped = plain + ".gz";
        if (File.Exists(gzipped))
        {
            return gzipped;
        }

        throw new NngpInputException($"{directory}: neither {baseName} nor {baseName}.gz is there");
    }

    private static LabeledImages Pair(IdxArray images, string imagesName, IdxArray labels, string labelsName, int take, bool everyClass)
    {
        if (images.Dimensions.Count < 2)
        {
            throw new NngpInputException(
                $"{imagesName}: an images file needs at least 2 dimensions (count × pixels), this one has shape {InputErrors.Shape([.. images.Dimensions])}");
        }

        if (labels.Dimensions.Count != 1)
        {
            throw new NngpInputException(
                $"{labelsName}: a labels file must be 1-D, this one has shape {InputErrors.Shape([.. labels.Dimensions])}");
        }

        if (images.Dimensions[0] != labels.Dimensions[0])
        {
            throw new NngpInputException(
                $"{labelsName}: {labels.Dimensions[0]} labels, but {imagesName} has {images.Dimensions[0]} images");
        }

        var values = ClassLabels.FromFile(labels, labelsName, take, everyClass);

        return new LabeledImages(images.ToMatrix(0, take), values);
    }

    private static IdxArray ReadResource(string resource)
    {
        // A missing resource is a broken build, not bad input, hence not an NngpInputException.
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing from {Assembly.GetExecutingAssembly().GetName().Name}");
        return IdxReader.Read(stream, resource);
    }
}
