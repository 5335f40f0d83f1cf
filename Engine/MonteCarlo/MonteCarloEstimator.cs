using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// The Monte Carlo estimate of a network's NNGP or NTK: the mean over S independently drawn networks
/// of width W (<see cref="SampledNetwork"/>) of each draw's empirical kernel, on one provider
/// (the CPU's BLAS, or a device's cuBLAS and kernels). Draw s uses its
/// own generator, seeded from (seed, s), on the host — the weights are drawn there and copied to
/// where the gemms run, so every provider computes the same networks — and the draws are summed in
/// order, so the estimate depends on the seed alone, not on thread counts or the device.
/// </summary>
internal static class MonteCarloEstimator
{
    /// <summary>
    /// The estimate on <paramref name="provider"/>: the CPU provider's BLAS and loops, or a device
    /// provider's gemms and kernels; a network with a custom activation (a managed delegate) runs on
    /// the host BLAS whatever the engine.
    /// </summary>
    public static Matrix<double> Estimate(
        IComputeProvider provider, Network network, Matrix<double> x1, Matrix<double>? x2, MonteCarloOptions options, CancellationToken cancellationToken)
    {
        if (provider is CpuProvider cpu)
        {
            return Estimate(new HostSampledOperations(cpu), network, x1, x2, options, cpu.AvailableBytes(), cancellationToken);
        }

        if (provider is DeviceKernelProvider device && !HasCustomActivation(network.Layers))
        {
            return Estimate(device.SampledOperations(), network, x1, x2, options, device.AvailableBytes(), cancellationToken);
        }

        using var host = new CpuProvider(HostLinearAlgebra.Default);
        return Estimate(new HostSampledOperations(host), network, x1, x2, options, host.AvailableBytes(), cancellationToken);
    }

    public static Matrix<double> Estimate(
        SampledOperations operations, Network network, Matrix<double> x1, Matrix<double>? x2, MonteCarloOptions options, long? availableBytes, CancellationToken cancellationToken)
    {
        int rows = x1.RowCount, columns = x2?.RowCount ?? rows;
        int points = x2 is null ? rows : rows + columns;
        int features = x1.ColumnCount;

        // Xᵀ: features × N, one column per point (x1's rows, then x2's).
        var inputs = new double[(long)features * points];
        for (int p = 0; p < points; p++)
        {
            var source = p < rows ? x1.Row(p) : x2!.Row(p - rows);
            for (int f = 0; f < features; f++)
            {
                inputs[(long)p * features + f] = source[f];
            }
        }

        bool ntk = options.Kind == KernelKind.Ntk;
        using var sampled = SampledNetwork.Create(network, features, options.Width, points, inputs, operations, ntk, availableBytes);
        options.Progress?.Report(new StageProgress(Stage.LayerMap, 0));
        for (int s = 0; s < options.Samples; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sampled.Draw(new Random(DrawSeed(options.Seed, s)), cancellationToken);
            if (ntk)
            {
                sampled.AddNtk(cancellationToken);
            }
            else
            {
                sampled.AddNngp(cancellationToken);
            }

            options.Progress?.Report(new StageProgress(Stage.LayerMap, (s + 1.0) / options.Samples));
        }

        // The block (x1, x2) of the points' kernel, or all of it, averaged over the draws.
        var sum = new double[(long)points * points];
        operations.Provider.CopyOut(sampled.Sum, 0, sum);
        int columnOffset = x2 is null ? 0 : rows;
        double scale = 1.0 / options.Samples;
        return Matrix<double>.Build.Dense(rows, columns, (i, j) => scale * sum[(long)(columnOffset + j) * points + i]);
    }

    private static bool HasCustomActivation(IEnumerable<ILayer> layers) =>
        layers.Any(layer => layer is ActivationLayer { IsCustom: true } || (layer is ResidualLayer residual && residual.Branches.Any(b => HasCustomActivation(b.Layers))));

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
}
