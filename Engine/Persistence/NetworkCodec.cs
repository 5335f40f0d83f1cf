using System.Collections.Immutable;
using GpuNngp.Engine.Architecture;
using GpuNngp.Kernels;

namespace GpuNngp.Engine.Persistence;

/// <summary>
/// A network as posterior-file data (docs/persistence.md): the image shape, then each layer as a tag
/// and its parameters, doubles bit for bit, a residual block as its branches. Read back through the
/// layers' own constructors and checks, so a file gives only a network the builders could make. A
/// custom activation is code, not data, and is refused before anything is written.
/// </summary>
internal static class NetworkCodec
{
    private const int Dense = 1;
    private const int Activation = 2;
    private const int Conv = 3;
    private const int AvgPool = 4;
    private const int GlobalAvgPool = 5;
    private const int Flatten = 6;
    private const int Residual = 7;

    /// <summary>Residual blocks nest at most this deep in a file, so a corrupted one cannot recurse without end.</summary>
    private const int MaxNesting = 64;

    /// <summary>Refuses a network a file cannot hold: one with a custom (delegate) activation.</summary>
    public static void CheckSavable(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (FirstCustom(network.Layers) is { } custom)
        {
            throw new NngpInputException(
                $"a posterior whose network has the custom activation '{custom.Name}' cannot be saved: its φ is a delegate (code), not data");
        }
    }

    private static ActivationLayer? FirstCustom(ImmutableArray<ILayer> layers) =>
        layers.OfType<ActivationLayer>().FirstOrDefault(a => a.IsCustom)
        ?? layers.OfType<ResidualLayer>().SelectMany(r => r.Branches).Select(b => FirstCustom(b.Layers)).FirstOrDefault(c => c is not null);

    public static void Write(ChecksummedWriter writer, Network network)
    {
        ArgumentNullException.ThrowIfNull(writer);
        CheckSavable(network);
        ImageShape? shape = network.InputShape;
        writer.Int32(shape is null ? 0 : 1);
        if (shape is { } image)
        {
            writer.Int32(image.Height);
            writer.Int32(image.Width);
            writer.Int32(image.Channels);
        }

        WriteLayers(writer, network.Layers);
    }

    private static void WriteLayers(ChecksummedWriter writer, ImmutableArray<ILayer> layers)
    {
        writer.Int32(layers.Length);
        foreach (ILayer layer in layers)
        {
            switch (layer)
            {
                case DenseLayer dense:
                    writer.Int32(Dense);
                    writer.Double(dense.WeightVariance);
                    writer.Double(dense.BiasVariance);
                    break;
                case ActivationLayer activation:
                    writer.Int32(Activation);
                    writer.String(activation.Name);
                    writer.Int32((int)activation.Activation.Kind);
                    writer.Double(activation.Activation.NegativeSlope);
                    writer.Double(activation.Activation.PositiveSlope);
                    break;
                case ConvLayer conv:
                    writer.Int32(Conv);
                    writer.Int32(conv.FilterHeight);
                    writer.Int32(conv.FilterWidth);
                    writer.Double(conv.WeightVariance);
                    writer.Double(conv.BiasVariance);
                    writer.Int32((int)conv.Padding);
                    writer.Int32(conv.StrideHeight);
                    writer.Int32(conv.StrideWidth);
                    break;
                case AvgPoolLayer pool:
                    writer.Int32(AvgPool);
                    writer.Int32(pool.WindowHeight);
                    writer.Int32(pool.WindowWidth);
                    writer.Int32((int)pool.Padding);
                    writer.Int32(pool.StrideHeight);
                    writer.Int32(pool.StrideWidth);
                    break;
                case GlobalAvgPoolLayer:
                    writer.Int32(GlobalAvgPool);
                    break;
                case FlattenLayer:
                    writer.Int32(Flatten);
                    break;
                case ResidualLayer residual:
                    writer.Int32(Residual);
                    writer.Int32(residual.Branches.Length);
                    foreach (Network branch in residual.Branches)
                    {
                        WriteLayers(writer, branch.Layers);
                    }

                    break;
                default:
                    throw new NngpInputException($"a posterior whose network has a {layer.GetType().Name} layer cannot be saved: the file format has no such layer");
            }
        }
    }

    /// <summary>The network, checked by the layers' constructors and, on images, against their shape; an impossible value is refused as corruption.</summary>
    public static Network Read(ChecksummedReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int hasShape = reader.Int32();
        if (hasShape is not (0 or 1))
        {
            throw ChecksummedReader.Corrupted($"the network's image-shape flag is {hasShape}");
        }

        (int Height, int Width, int Channels)? shape = hasShape == 1 ? (reader.Int32(), reader.Int32(), reader.Int32()) : null;
        try
        {
            var network = new Network(ReadLayers(reader, 0));
            return shape is { } image ? network.OnImages(image.Height, image.Width, image.Channels) : network;
        }
        catch (NngpInputException e) when (!e.Message.StartsWith("the posterior file", StringComparison.Ordinal))
        {
            throw ChecksummedReader.Corrupted($"its network is not valid: {e.Message}");
        }
    }

    private static ImmutableArray<ILayer> ReadLayers(ChecksummedReader reader, int nesting)
    {
        int count = reader.Int32();
        if (count < 0 || count > 1 << 20)
        {
            throw ChecksummedReader.Corrupted($"the network has {count} layers");
        }

        var layers = ImmutableArray.CreateBuilder<ILayer>(count);
        for (int i = 0; i < count; i++)
        {
            layers.Add(ReadLayer(reader, nesting));
        }

        return layers.MoveToImmutable();
    }

    private static ILayer ReadLayer(ChecksummedReader reader, int nesting)
    {
        int tag = reader.Int32();
        switch (tag)
        {
            case Dense:
                return Nngp.Dense(reader.Double(), reader.Double());
            case Activation:
                string name = reader.String("an activation's name");
                int kind = reader.Int32();
                double negative = reader.Double(), positive = reader.Double();
                if (!Enum.IsDefined((ActivationKind)kind) || (ActivationKind)kind == ActivationKind.Custom)
                {
                    throw ChecksummedReader.Corrupted($"activation '{name}' has the unknown kind {kind}");
                }

                return new ActivationLayer(name, new Kernels.Activation((ActivationKind)kind, negative, positive));
            case Conv:
                return new ConvLayer(reader.Int32(), reader.Int32(), reader.Double(), reader.Double(), ReadPadding(reader), reader.Int32(), reader.Int32());
            case AvgPool:
                return new AvgPoolLayer(reader.Int32(), reader.Int32(), ReadPadding(reader), reader.Int32(), reader.Int32());
            case GlobalAvgPool:
                return Nngp.GlobalAvgPool();
            case Flatten:
                return Nngp.Flatten();
            case Residual:
                if (nesting >= MaxNesting)
                {
                    throw ChecksummedReader.Corrupted($"its residual blocks nest deeper than {MaxNesting}");
                }

                int branches = reader.Int32();
                if (branches < 0 || branches > 1 << 10)
                {
                    throw ChecksummedReader.Corrupted($"a residual block has {branches} branches");
                }

                var read = new Network[branches];
                for (int b = 0; b < branches; b++)
                {
                    read[b] = new Network(ReadLayers(reader, nesting + 1));
                }

                return Nngp.Residual(read);
            default:
                throw ChecksummedReader.Corrupted($"unknown layer tag {tag} at byte {reader.Position - sizeof(int)}");
        }
    }

    private static Padding ReadPadding(ChecksummedReader reader) => (Padding)reader.Int32();
}
