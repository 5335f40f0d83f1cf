using System.Collections.Immutable;
using GpuNngp.Engine.Architecture;

namespace GpuNngp;

/// <summary>
/// A fully connected architecture as a sequence of layers, read like the network it describes:
/// <c>Nngp.Serial(Nngp.Dense(1.45, 0.28), Nngp.Relu()).Repeat(20).Then(Nngp.Dense(1.45, 0.28))</c>.
/// It must start with a dense layer, alternate dense layers and activations, and end with a dense
/// readout; <see cref="Validate"/> checks this and names what is wrong.
/// </summary>
public sealed class Network
{
    internal Network(ImmutableArray<ILayer> layers) => Layers = layers;

    public ImmutableArray<ILayer> Layers { get; }

    /// <summary>This sequence repeated <paramref name="times"/> times.</summary>
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

        return new Network(builder.MoveToImmutable());
    }

    /// <summary>This sequence followed by <paramref name="layers"/>.</summary>
    public Network Then(params ILayer[] layers) => new(Layers.AddRange(layers));

    /// <summary>Checks the shape and the variances; throws an <see cref="NngpInputException"/> naming what is wrong.</summary>
    public void Validate() => Compile();

    /// <summary>Checks the shape and the variances and produces the recursion's parameters.</summary>
    internal CompiledNetwork Compile() => CompiledNetwork.From(this);

    public override string ToString() => Compile().Description;
}
