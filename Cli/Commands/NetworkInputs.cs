using GpuNngp.Data;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Cli.Commands;

/// <summary>
/// Reads a command's input sets the way its network takes them: matrices (.npy, .csv, IDX) for a
/// dense network; images for a convolutional one — an (N, H, W, C) .npy or an IDX image file, one
/// image per matrix row — with the network checked against their shape and every set of one shape.
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

        ImageSet? first = null;
        string firstFlag = "";
        var sets = new Matrix<double>?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i].Path is not { } path)
            {
                continue;
            }

            var images = ImageSet.Read(path);
            if (first is null)
            {
                (first, firstFlag) = (images, inputs[i].Flag);
            }
            else if ((images.Height, images.Width, images.Channels) != (first.Height, first.Width, first.Channels))
            {
                throw new NngpInputException(
                    $"{inputs[i].Flag} holds images of {images.Height}×{images.Width}×{images.Channels} but {firstFlag} of {first.Height}×{first.Width}×{first.Channels}");
            }

            sets[i] = images.Pixels;
        }

        if (first is null)
        {
            return (network, sets);
        }

        try
        {
            return (network.OnImages(first.Height, first.Width, first.Channels), sets);
        }
        catch (NngpInputException e)
        {
            throw new NngpInputException($"--net on {first.Height}×{first.Width}×{first.Channels} images: {e.Message}");
        }
    }
}
