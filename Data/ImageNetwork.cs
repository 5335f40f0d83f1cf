namespace GpuNngp.Data;

/// <summary>
/// Puts a convolutional network on the images it will be given: every set must have one shape
/// (height, width and channels), and the network is checked against it (<see cref="Network.OnImages"/>).
/// The command line's <c>--net</c> inputs and the experiments' data sets both go through here.
/// </summary>
public static class ImageNetwork
{
    /// <summary>
    /// <paramref name="network"/> on the images of <paramref name="sets"/> (a null set is skipped; with
    /// none left the network is returned as it is). <paramref name="networkName"/> begins the error
    /// when the network does not fit the images ("--net", "the network"); each set's name begins the
    /// error when its shape differs from the first one's.
    /// </summary>
    public static Network On(Network network, string networkName, params (string Name, ImageSet? Images)[] sets)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(sets);
        (string Name, ImageSet Images)? first = null;
        foreach (var (name, images) in sets)
        {
            if (images is null)
            {
                continue;
            }

            if (first is not { } reference)
            {
                first = (name, images);
            }
            else if (Shape(images) != Shape(reference.Images))
            {
                throw new NngpInputException($"{name} holds images of {Shape(images)} but {reference.Name} of {Shape(reference.Images)}");
            }
        }

        if (first is not { Images: var set })
        {
            return network;
        }

        try
        {
            return network.OnImages(set.Height, set.Width, set.Channels);
        }
        catch (NngpInputException e)
        {
            throw new NngpInputException($"{networkName} on {Shape(set)} images: {e.Message}");
        }
    }

    private static ImageDimensions Shape(ImageSet images) => new(images.Height, images.Width, images.Channels);
}
