namespace GpuNngp.Perf.Conv;

/// <summary>Neural Tangents' published time per NTK entry (README, v0.2.1, FP64) and this project's goals (issue 11), ms.</summary>
public sealed record NtReference(double V100Ms, double CpuMs, double CpuGoalMs, double? GpuGoalMs, double? GpuPeakFractionGoal);

/// <summary>A case's images (<see cref="Height"/> × <see cref="Width"/>) and the rectangle K(X, X2) measured: X of <see cref="Rows"/> images, X2 of <see cref="Columns"/>.</summary>
public sealed record ConvSize(int Height, int Width, int Rows, int Columns);

/// <summary>
/// One benchmark case: a network's layers, a kernel kind, the channels, and two sizes: the
/// measurement's (<see cref="Full"/>) and --quick's (<see cref="Quick"/>: the same layers on small
/// images where the network allows, a few pairs: the test's structure check, not a measurement).
/// Rows are a multiple of 16: the CPU runs 16 rows per AVX-512 bundle.
/// </summary>
public sealed record ConvCase(
    string Name,
    string Group,
    string Description,
    int Channels,
    KernelKind Kind,
    Network Layers,
    ConvSize Full,
    ConvSize Quick,
    NtReference? Reference = null)
{
    /// <summary>"gap", "flatten": the network's readout.</summary>
    public string Readout => Layers.Layers.Any(l => l is GlobalAvgPoolLayer) ? "gap" : "flatten";

    public ConvSize Size(bool quick) => quick ? Quick : Full;

    /// <summary>The layers on images of <paramref name="size"/>.</summary>
    public Network On(ConvSize size)
    {
        ArgumentNullException.ThrowIfNull(size);
        return Layers.OnImages(size.Height, size.Width, Channels);
    }
}

/// <summary>The cases of the convolutional benchmark (issue 11, item 6).</summary>
public static class ConvCases
{
    private const double WeightVariance = 2, BiasVariance = 0.01;

    /// <summary>(a) Neural Tangents' benchmark network, then (b) layer types by input size, with and without pooling.</summary>
    public static IReadOnlyList<ConvCase> All { get; } =
    [
        new("nt-gap", "nt", "21 × (Conv 3×3 same, ReLU), GlobalAvgPool, Dense", 3, KernelKind.Ntk,
            ConvRelu(21).Then(Nngp.GlobalAvgPool(), Dense), new(32, 32, 32, 4), new(8, 8, 16, 1),
            new NtReference(V100Ms: 6.21, CpuMs: 258.55, CpuGoalMs: 50, GpuGoalMs: 0.2, GpuPeakFractionGoal: 0.40)),
        new("nt-flatten", "nt", "21 × (Conv 3×3 same, ReLU), Flatten, Dense", 3, KernelKind.Ntk,
            ConvRelu(21).Then(Nngp.Flatten(), Dense), new(32, 32, 64, 256), new(8, 8, 16, 4),
            new NtReference(V100Ms: 0.0108, CpuMs: 0.341, CpuGoalMs: 0.05, GpuGoalMs: null, GpuPeakFractionGoal: null)),
        .. ByInput(28, 1),
        .. ByInput(32, 3),
    ];

    /// <summary>The cases named in <paramref name="names"/> (all when null); an unknown name is an <see cref="ArgumentException"/>.</summary>
    public static IReadOnlyList<ConvCase> Select(IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            return All;
        }

        foreach (string name in names)
        {
            if (!All.Any(c => c.Name == name))
            {
                throw new ArgumentException($"unknown case '{name}' (known: {string.Join(", ", All.Select(c => c.Name))})");
            }
        }

        return [.. All.Where(c => names.Contains(c.Name))];
    }

    private static DenseLayer Dense => Nngp.Dense(WeightVariance, BiasVariance);

    private static Network ConvRelu(int depth) => Nngp.Serial(Nngp.Conv(3, 3, WeightVariance, BiasVariance), Nngp.Relu()).Repeat(depth);

    private static IEnumerable<ConvCase> ByInput(int side, int channels)
    {
        // Sizes for a few seconds per run on two cores today: every pair of pixel positions with a
        // global pooling (P² per layer, ⌈n/16⌉·m + 2 bundles), the diagonal only with Flatten (P).
        ConvSize Pairs(int rows, int columns) => new(side, side, rows, columns);
        ConvSize pooled = side == 32 ? Pairs(16, 1) : Pairs(16, 2);
        ConvSize quick = new(8, 8, 16, 1);
        yield return new($"conv-relu-flatten-{side}", "layers", "8 × (Conv 3×3 same, ReLU), Flatten, Dense", channels, KernelKind.Ntk,
            ConvRelu(8).Then(Nngp.Flatten(), Dense), Pairs(64, 64), quick with { Columns = 4 });
        yield return new($"conv-relu-gap-{side}", "layers", "8 × (Conv 3×3 same, ReLU), GlobalAvgPool, Dense", channels, KernelKind.Ntk,
            ConvRelu(8).Then(Nngp.GlobalAvgPool(), Dense), pooled, quick);
        yield return new($"conv-relu-gap-{side}-nngp", "layers", "8 × (Conv 3×3 same, ReLU), GlobalAvgPool, Dense; NNGP", channels, KernelKind.Nngp,
            ConvRelu(8).Then(Nngp.GlobalAvgPool(), Dense), pooled, quick);
        yield return side == 32
            ? new("myrtle5-32", "pooling", "Myrtle-5: 2 × (Conv, ReLU), AvgPool 2×2, Conv, ReLU, AvgPool 2×2, Conv, ReLU, AvgPool 2×2 × 3, Flatten, Dense", channels, KernelKind.Ntk,
                Nngp.Myrtle5(WeightVariance, BiasVariance), Pairs(16, 2), new(32, 32, 16, 1))
            : new($"myrtle-{side}", "pooling", "2 × (Conv, ReLU), AvgPool 2×2 (28→14), Conv, ReLU, AvgPool 2×2 (14→7), Conv, ReLU, GlobalAvgPool, Dense", channels, KernelKind.Ntk,
                ConvRelu(2).Then(Nngp.AvgPool(2, 2)).Then([.. ConvRelu(1).Layers]).Then(Nngp.AvgPool(2, 2)).Then([.. ConvRelu(1).Layers]).Then(Nngp.GlobalAvgPool(), Dense),
                Pairs(16, 4), quick);
        var conv = Nngp.Conv(3, 3, WeightVariance, BiasVariance);
        var block = Nngp.Residual(Nngp.IdentityBranch, Nngp.Serial(Nngp.Relu(), conv, Nngp.Relu(), conv));
        yield return new($"residual-{side}", "residual", "Conv, 2 × Residual(identity | ReLU, Conv, ReLU, Conv), ReLU, GlobalAvgPool, Dense", channels, KernelKind.Ntk,
            Nngp.Serial(conv, block, block, Nngp.Relu(), Nngp.GlobalAvgPool(), Dense), pooled, quick);
    }
}
