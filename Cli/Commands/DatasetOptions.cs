using System.CommandLine;
using GpuNngp.Data;

namespace GpuNngp.Cli.Commands;

/// <summary>The data set options `evaluate` and `search` share: which data, and how it is split.</summary>
internal static class DatasetOptions
{
    public const string DatasetDescription =
        $"{DataSplit.Mnist10kName} (embedded), {DataSplit.MnistName} (full MNIST in {Datasets.DefaultMnistDirectory} or ${Datasets.MnistDirectoryVariable}), "
        + $"{DataSplit.FashionMnistName} ({Datasets.DefaultFashionMnistDirectory}) or a directory of MNIST-format IDX files";

    /// <summary>--split: null when not given, so that each data set gets its own default.</summary>
    public static Option<SplitProtocol?> CreateSplit() => new("--split")
    {
        Description = "first: the first N training (and M test) examples; paper: the paper's MNIST protocol (validation = the first 10,000 training images, "
            + "N/10 of each class from the other 50,000 shuffled as numpy does with seed 9999, the first M test images). Default: paper for mnist, first otherwise",
    };
}
