using System.Collections.Immutable;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// The analytic kernel of an activation is E[φ(u)φ(u′)] for (u, u′) jointly Gaussian with the
/// incoming covariance: exact in the infinite-width limit only when the activation's input is a
/// Gaussian process — the output of a Conv or Dense layer, a linear map of one (pooling, Flatten), or a
/// residual sum whose every branch is one. An activation's output, the images themselves, or a sum or
/// pooling that carries either is not Gaussian, and the closed form applied to its covariance is not the
/// finite networks' limit (docs/mathematics.md §9: a post-ReLU skip connection then a ReLU, 0.70
/// analytic against 1.18 sampled). Such a network is refused, naming the activation and where its
/// non-Gaussian input comes from — as Neural Tangents' <c>stax</c> refuses it.
/// </summary>
internal static class GaussianPreActivations
{
    /// <summary>Throws an <see cref="NngpInputException"/> for the first activation whose input is not Gaussian.</summary>
    public static void Check(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        _ = Follow(network.Layers, NotGaussian.Source("the input itself (fixed inputs are not Gaussian)"), "layer ");
    }

    /// <summary>Follows the layers; returns what reaches the end: null when it is Gaussian, else why not.</summary>
    private static NotGaussian? Follow(ImmutableArray<ILayer> layers, NotGaussian? input, string prefix)
    {
        NotGaussian? current = input;
        for (int i = 0; i < layers.Length; i++)
        {
            string name = $"{prefix}{i + 1} ({layers[i]})";
            current = layers[i] switch
            {
                DenseLayer or ConvLayer => null,
                ActivationLayer when current is { } cause => throw new NngpInputException(
                    $"{name} needs a Gaussian input (the output of a Conv or Dense layer, or a residual sum of such branches) but receives {cause}: put a Conv or Dense layer before it"),
                ActivationLayer => NotGaussian.Source($"the output of {name}"),
                ResidualLayer residual => Sum(name, residual, current),
                _ => current is { } cause ? cause.Through(name) : null, // pooling and readouts are linear
            };
        }

        return current;
    }

    private static NotGaussian? Sum(string name, ResidualLayer residual, NotGaussian? input)
    {
        NotGaussian? sum = null;
        for (int b = 0; b < residual.Branches.Length; b++)
        {
            // Every branch is followed (its own activations are checked); the first non-Gaussian one names the sum.
            NotGaussian? branch = Follow(residual.Branches[b].Layers, input, $"{name}, branch {b + 1}, layer ");
            sum ??= branch?.Through($"{name}, branch {b + 1}");
        }

        return sum;
    }

    /// <summary>Why a value is not Gaussian: where it was made, and the linear layers it went through.</summary>
    private sealed record NotGaussian(string Origin, string Path)
    {
        public static NotGaussian Source(string origin) => new(origin, "");

        public NotGaussian Through(string layer) => this with { Path = Path.Length == 0 ? layer : $"{Path}, {layer}" };

        public override string ToString() => Path.Length == 0 ? Origin : $"{Origin} through {Path}";
    }
}
