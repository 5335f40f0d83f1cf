using GpuNngp.Data;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Cli.Commands;

/// <summary>
/// Reads a command's input sets the way its network takes them: matrices (.npy, .csv, IDX) for a
/// dense network; images for a convolutional one — an (N, H, W, C) .npy or an IDX image file, one
/// image per matrix row — with the network checked against their shape and every set of one shape
/// (<see cref="ImageNetwork"/>).
/// </summary>
internal static class NetworkInputs
{
    /// <summary>The network (on the images' shape where it is convolutional) and the sets, in order; a null path gives a null set.</summary>
    public static (Network Network, Matrix<double>?[] Sets) Read(Network network, params (string Flag, string? Path)[] inputs)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!network.IsConvolutional)
        {
            return (network, [.. inputs.Select(input => input.Path is null ? null : MatrixFile.Read(input.Path))]);
        }

        var images = inputs.Select(input => (input.Flag, input.Path is null ? null : ImageSet.Read(input.Path))).ToArray();
        return (ImageNetwork.On(network, "--net", images), [.. images.Select(set => set.Item2?.Pixels)]);
    }
}
