using System.Collections.Immutable;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// The structural check of a network on images (H × W × C): follows the image's shape through the
/// layers and refuses, naming the layer, what cannot be computed. The rules:
/// <list type="bullet">
/// <item>Conv and AvgPool need an image. Same and circular padding give ⌈H/stride⌉ rows; valid
/// padding needs the window to fit (k ≤ H) and gives ⌊(H − k)/stride⌋ + 1 rows.</item>
/// <item>A valid pooling window must tile the image: (H − window) divisible by the stride (for the
/// default stride = window: the window divides H), else the last rows would be dropped silently.</item>
/// <item>Flatten and GlobalAvgPool turn the image into a flat vector; after them only activations,
/// Dense layers and residual blocks of those may follow. Dense needs a flat input.</item>
/// <item>The network ends with a Dense readout on a flat vector (… Flatten|GlobalAvgPool → Dense).</item>
/// <item>The branches of a residual block start from the block's input and must end in the same
/// shape (an identity branch keeps the input's).</item>
/// </list>
/// </summary>
internal static class NetworkShape
{
    /// <summary>What flows between layers: an image of the given size, or a flat vector (null).</summary>
    private readonly record struct Shape(SpatialShape? Image, string FlattenedBy)
    {
        public override string ToString() => Image is { } image ? $"a {image} image" : "a flat vector";
    }

    public static void Check(Network network, int height, int width, int channels)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (height < 1 || width < 1 || channels < 1)
        {
            throw new NngpInputException($"images must have positive sides and channels, got {height}×{width}×{channels}");
        }

        if (network.Layers.Length == 0)
        {
            throw new NngpInputException("the network has no layers: it needs at least a Flatten or GlobalAvgPool and a Dense readout");
        }

        Shape output = Follow(network.Layers, new Shape(new SpatialShape(height, width), ""), "layer ");
        if (network.Layers[^1] is not DenseLayer || output.Image is not null)
        {
            string last = $"layer {network.Layers.Length} ({network.Layers[^1]})";
            throw new NngpInputException(output.Image is not null
                ? $"the network must end with a flat readout, but {last} leaves {output}: end it with Flatten or GlobalAvgPool, then Dense"
                : $"the network must end with a Dense readout, not {last}: append Nngp.Dense(σw², σb²)");
        }
    }

    private static Shape Follow(ImmutableArray<ILayer> layers, Shape shape, string prefix)
    {
        for (int i = 0; i < layers.Length; i++)
        {
            string name = $"{prefix}{i + 1} ({layers[i]})";
            shape = layers[i] switch
            {
                ConvLayer conv => new Shape(Window(name, Image(name, shape), conv.FilterHeight, conv.FilterWidth, conv.StrideHeight, conv.StrideWidth, conv.Padding, pooling: false), ""),
                AvgPoolLayer pool => new Shape(Window(name, Image(name, shape), pool.WindowHeight, pool.WindowWidth, pool.StrideHeight, pool.StrideWidth, pool.Padding, pooling: true), ""),
                FlattenLayer or GlobalAvgPoolLayer => Flat(name, shape, i + 1),
                DenseLayer when shape.Image is not null => throw new NngpInputException($"{name} needs a flat input but gets {shape}: put Flatten or GlobalAvgPool before it"),
                ResidualLayer residual => Branches(name, residual, shape),
                _ => shape,
            };
        }

        return shape;
    }

    private static SpatialShape Image(string name, Shape shape) => shape.Image
        ?? throw new NngpInputException($"{name} needs an image, but {shape.FlattenedBy} has already made it a flat vector");

    private static Shape Flat(string name, Shape shape, int index)
    {
        _ = Image(name, shape);
        return new Shape(null, name);
    }

    private static SpatialShape Window(string name, SpatialShape image, int kh, int kw, int sh, int sw, Padding padding, bool pooling) =>
        new(Side(name, image.Height, kh, sh, padding, pooling, "height", image),
            Side(name, image.Width, kw, sw, padding, pooling, "width", image));

    private static int Side(string name, int size, int window, int stride, Padding padding, bool pooling, string side, SpatialShape image)
    {
        if (padding != Padding.Valid)
        {
            return (size + stride - 1) / stride;
        }

        if (window > size)
        {
            throw new NngpInputException($"{name}: the valid window's {side} {window} is larger than the {image} image it gets");
        }

        if (pooling && (size - window) % stride != 0)
        {
            throw new NngpInputException($"{name}: the window does not tile the {image} image it gets ({side} {size} − {window} is not a multiple of the stride {stride}); use an image size it divides or padding same");
        }

        return ((size - window) / stride) + 1;
    }

    private static Shape Branches(string name, ResidualLayer residual, Shape input)
    {
        Shape? first = null;
        for (int b = 0; b < residual.Branches.Length; b++)
        {
            Shape output = Follow(residual.Branches[b].Layers, input, $"{name}, branch {b + 1}, layer ");
            if (first is { } expected && expected.Image != output.Image)
            {
                throw new NngpInputException($"{name}: branch {b + 1} gives {output} but branch 1 gives {expected}; the branches of a residual block must end in the same shape");
            }

            first ??= output;
        }

        return first!.Value with { FlattenedBy = first.Value.Image is not null ? "" : input.Image is null ? input.FlattenedBy : name };
    }
}
