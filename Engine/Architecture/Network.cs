using System.Collections.Immutable;
using GpuNngp.Engine.Architecture;

namespace GpuNngp;

/// <summary>
/// An architecture as a sequence of layers, read like the network it describes:
/// <c>Nngp.Serial(Nngp.Dense(1.45, 0.28), Nngp.Relu()).Repeat(20).Then(Nngp.Dense(1.45, 0.28))</c>.
/// A fully connected one must start with a dense layer, alternate dense layers and activations, and
/// end with a dense readout; <see cref="Validate"/> checks this and names what is wrong. A network
/// on images (convolutions, pooling, residual blocks) is checked against an image shape by
/// <see cref="ValidateFor"/>.
/// </summary>
public sealed class Network
{
    internal Network(ImmutableArray<ILayer> layers, ImageShape? inputShape = null)
    {
        Layers = layers;
        InputShape = inputShape;
    }

    /// <summary>The layers in the order the data flows through them.</summary>
    public ImmutableArray<ILayer> Layers { get; }

    /// <summary>This sequence repeated <paramref name="times"/> times (0: the empty network); the image shape, if any, is kept.</summary>
    /// <param name="times">How many copies, ≥ 0.</param>
    /// <exception cref="NngpInputException"><paramref name="times"/> is negative.</exception>
    public Network Repeat(int times)
    {
        if (times < 0)
        {
            throw new NngpInputException($"repeat count must be ≥ 0, got {times}");
        }

        var builder = ImmutableArray.CreateBuilder<ILayer>(Layers.Length * times);
        for (int i = 0; i < times; i++)
        {
            builder.AddRange(Layers);
        }

        return new Network(builder.MoveToImmutable(), InputShape);
    }

    /// <summary>This sequence followed by <paramref name="layers"/> (a new network; this one is unchanged).</summary>
    /// <param name="layers">The layers to append.</param>
    /// <exception cref="ArgumentNullException"><paramref name="layers"/> or one of its layers is null.</exception>
    public Network Then(params ILayer[] layers) => new(Layers.AddRange(CheckLayers(layers, "Network.Then")), InputShape);

    /// <summary>
    /// The layers a builder was given, refused in one line where the array or one of its layers is
    /// null (<see cref="ArgumentNullException"/> naming the builder and the layer's 1-based position).
    /// </summary>
    internal static ImmutableArray<ILayer> CheckLayers(ILayer[] layers, string builder)
    {
        if (layers is null)
        {
            throw new ArgumentNullException(nameof(layers), $"{builder}: the layers are null");
        }

        int missing = Array.FindIndex(layers, layer => layer is null);
        if (missing >= 0)
        {
            throw new ArgumentNullException(nameof(layers), $"{builder}: layer {missing + 1} of {layers.Length} is null");
        }

        return [.. layers];
    }

    /// <summary>
    /// This network on images of <paramref name="height"/> × <paramref name="width"/> ×
    /// <paramref name="channels"/>, checked against its layers (<see cref="ValidateFor"/>): a
    /// convolutional network needs it, because its inputs reach the engine as matrices whose rows are
    /// the images, pixels row-major and channels innermost (an (N, H, W, C) array in C order).
    /// </summary>
    /// <param name="height">H, the image height in pixels.</param>
    /// <param name="width">W, the image width in pixels.</param>
    /// <param name="channels">C, the channels per pixel; an input row has H·W·C features.</param>
    /// <returns>The same layers with the image shape attached.</returns>
    /// <exception cref="NngpInputException">The layers cannot take images of that shape (as <see cref="ValidateFor"/>).</exception>
    public Network OnImages(int height, int width, int channels)
    {
        var shape = new ImageShape(height, width, channels);
        ValidateFor(height, width, channels);
        return new Network(Layers, shape);
    }

    /// <summary>The images' shape given by <see cref="OnImages"/>, or null for flat inputs.</summary>
    internal ImageShape? InputShape { get; }

    /// <summary>
    /// Checks the sequence and the variances without computing anything: a fully connected network
    /// must be Dense, (φ, Dense) × L; every variance finite and ≥ 0. A convolutional one is checked
    /// layer by layer here and against its image shape by <see cref="OnImages"/>.
    /// </summary>
    /// <exception cref="NngpInputException">What is wrong, naming the layer (its 1-based index).</exception>
    public void Validate()
    {
        if (HasSpatialLayers)
        {
            LayerPlan.Compile(this); // the shapes are checked when the images are known (OnImages)
        }
        else
        {
            Compile();
        }
    }

    /// <summary>True when the network has convolutional, pooling, readout or residual layers: it takes images (<see cref="OnImages"/>).</summary>
    public bool IsConvolutional => HasSpatialLayers;

    /// <summary>
    /// Checks that the network can take images of <paramref name="height"/> × <paramref name="width"/>
    /// × <paramref name="channels"/>: windows that fit and tile, no spatial layer after a readout,
    /// residual branches of one shape, a Flatten|GlobalAvgPool → Dense readout. Throws an
    /// <see cref="NngpInputException"/> naming the layer (its 1-based index and description).
    /// </summary>
    /// <param name="height">H, the image height in pixels.</param>
    /// <param name="width">W, the image width in pixels.</param>
    /// <param name="channels">C, the channels per pixel.</param>
    /// <exception cref="NngpInputException">The layers cannot take images of that shape.</exception>
    public void ValidateFor(int height, int width, int channels) => NetworkShape.Check(this, height, width, channels);

    /// <summary>True when a layer is a convolution, a pooling, a readout or a residual block: not a Dense/φ chain.</summary>
    internal bool HasSpatialLayers => Layers.Any(IsSpatial);

    internal static bool IsSpatial(ILayer layer) => layer is not (DenseLayer or ActivationLayer);

    /// <summary>Checks the shape and the variances and produces the recursion's parameters.</summary>
    internal CompiledNetwork Compile() => CompiledNetwork.From(this);

    /// <summary>
    /// The architecture in one line, the layers joined by " → "; in a fully connected network repeated
    /// (φ, Dense) pairs are folded, e.g. "Dense(1.45, 0.28) → [Relu → Dense(1.45, 0.28)] × 20".
    /// </summary>
    /// <exception cref="NngpInputException">A fully connected network that does not validate.</exception>
    public override string ToString() => HasSpatialLayers ? string.Join(" → ", Layers) : Compile().Description;
}
