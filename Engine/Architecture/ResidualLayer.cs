using System.Collections.Immutable;

namespace GpuNngp;

/// <summary>
/// A residual block: the input fans out to parallel <see cref="Branches"/>, whose outputs are summed
/// (Neural Tangents' FanOut → parallel → FanInSum), so the block's K and Θ are the sums of the
/// branches' (docs/mathematics.md §7). A branch without layers (<see cref="Nngp.IdentityBranch"/>) is the
/// identity: the skip connection. Every branch must give the same output shape.
/// </summary>
public sealed record ResidualLayer : ILayer
{
    /// <summary>A residual block of <paramref name="branches"/> (as <see cref="Nngp.Residual"/>).</summary>
    /// <param name="branches">At least two branches, none null; an empty one (<see cref="Nngp.IdentityBranch"/>) is the skip connection.</param>
    /// <exception cref="ArgumentNullException"><paramref name="branches"/> is null.</exception>
    /// <exception cref="NngpInputException">Fewer than two branches, or a null one.</exception>
    public ResidualLayer(params Network[] branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        if (branches.Length < 2)
        {
            throw new NngpInputException($"a residual block needs at least two branches, got {branches.Length}");
        }

        if (branches.Any(b => b is null))
        {
            throw new NngpInputException("a residual block's branch is null: use Nngp.IdentityBranch for the skip connection");
        }

        Branches = [.. branches];
    }

    /// <summary>The parallel branches; an empty one is the identity.</summary>
    public ImmutableArray<Network> Branches { get; }

    /// <summary>Branches are equal when their layers are.</summary>
    /// <param name="other">The block to compare with.</param>
    /// <returns>True when both have as many branches and each pair has equal layers.</returns>
    public bool Equals(ResidualLayer? other) =>
        other is not null && Branches.Length == other.Branches.Length
        && Branches.Zip(other.Branches).All(pair => pair.First.Layers.SequenceEqual(pair.Second.Layers));

    /// <summary>A hash consistent with <see cref="Equals(ResidualLayer)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Branches.Length, Branches.Sum(b => b.Layers.Length));

    /// <summary>e.g. "Residual(Conv(3×3, same, 2, 0) → Relu | Identity)".</summary>
    public override string ToString() => $"Residual({string.Join(" | ", Branches.Select(Describe))})";

    internal static string Describe(Network branch) =>
        branch.Layers.Length == 0 ? "Identity" : string.Join(" → ", branch.Layers);
}
