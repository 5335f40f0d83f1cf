using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// The Monte Carlo estimate of a dense network's NNGP or NTK: the mean over S independently drawn
/// networks of width W (<see cref="SampledDenseNetwork"/>) of each draw's empirical kernel. Draw s
/// uses its own generator, seeded from (seed, s), and the draws are summed in order, so the estimate
/// depends on the seed alone, not on thread counts.
/// </summary>
internal static class MonteCarloEstimator
{
    public static Matrix<double> Estimate(
        IHostLinearAlgebra blas, Network network, Matrix<double> x1, Matrix<double>? x2, MonteCarloOptions options, long? availableBytes, CancellationToken cancellationToken)
    {
        var (dense, activations) = Layers(network, options.Kind);
        int rows = x1.RowCount, columns = x2?.RowCount ?? rows;
        int points = x2 is null ? rows : rows + columns;
        long bytes = SampledDenseNetwork.Bytes(dense.Length, x1.ColumnCount, options.Width, points);
        if (availableBytes is { } available && bytes > available)
        {
            throw new NngpInputException(
                $"a Monte Carlo kernel of width {options.Width:N0} on {points:N0} points needs {bytes / 1e9:F1} GB; {available / 1e9:F1} GB is available (a smaller width or fewer points)",
                "width");
        }

        var x = new double[points, x1.ColumnCount];
        for (int p = 0; p < points; p++)
        {
            var source = p < rows ? x1.Row(p) : x2!.Row(p - rows);
            for (int f = 0; f < x1.ColumnCount; f++)
            {
                x[p, f] = source[f];
            }
        }

        bool ntk = options.Kind == KernelKind.Ntk;
        options.Progress?.Report(new StageProgress(Stage.LayerMap, 0));
        using var sampled = new SampledDenseNetwork(blas, dense, activations, x, options.Width);
        using var sum = HostBuffer.Allocate((long)points * points);
        sum.Clear();
        for (int s = 0; s < options.Samples; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sampled.Draw(new Random(DrawSeed(options.Seed, s)), ntk, cancellationToken);
            if (ntk)
            {
                sampled.AddNtk(sum, cancellationToken);
            }
            else
            {
                sampled.AddNngp(sum, cancellationToken);
            }

            options.Progress?.Report(new StageProgress(Stage.LayerMap, (s + 1.0) / options.Samples));
        }

        // The block (x1, x2) of the points' kernel, or all of it, averaged over the draws.
        int columnOffset = x2 is null ? 0 : rows;
        double scale = 1.0 / options.Samples;
        return Matrix<double>.Build.Dense(rows, columns, (i, j) => scale * sum[(long)(columnOffset + j) * points + i]);
    }

    /// <summary>
    /// Draw s's seed: SplitMix64 of (seed, s), so neighbouring seeds and draws give unrelated
    /// generators (System.Random's seeded generator is the same on every platform and thread).
    /// </summary>
    internal static int DrawSeed(int seed, int draw)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32 | (uint)draw) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & int.MaxValue);
    }

    /// <summary>The dense layers and the activations between them, refusing what the sampler does not draw.</summary>
    private static (DenseLayer[] Dense, UnitActivation[] Activations) Layers(Network network, KernelKind kind)
    {
        if (network.HasSpatialLayers)
        {
            throw new NngpInputException("Monte Carlo kernels are implemented for fully connected networks (Dense and activations) only; this network has convolutional, pooling, readout or residual layers");
        }

        network.Validate(); // Dense, (φ, Dense) × L, every variance finite and ≥ 0
        var dense = network.Layers.OfType<DenseLayer>().ToArray();
        var activations = network.Layers.OfType<ActivationLayer>().Select(layer => new UnitActivation(layer)).ToArray();
        var missing = activations.FirstOrDefault(a => !a.HasDerivative);
        if (kind == KernelKind.Ntk && missing is not null)
        {
            throw new NngpInputException($"the Monte Carlo NTK needs φ' of the custom activation '{missing.Name}' (Nngp.Custom's derivative)");
        }

        return (dense, activations);
    }
}
