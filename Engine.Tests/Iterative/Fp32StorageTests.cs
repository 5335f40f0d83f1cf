using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Iterative;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests.Iterative;

/// <summary>
/// The FP32-stored kernel's stated error bound, against the dense FP64 kernel of the engine's own
/// kernel call: |(Ã·v − A·v)_i| ≤ 2⁻²⁴·Σ_j |K_ij|·|v_j| (plus FP64 rounding), and the error is really
/// FP32's (a storage kept in FP64 would fail the second check). The recomputed operator is FP64.
/// </summary>
public sealed class Fp32StorageTests
{
    [Fact]
    public void TheFp32Product_IsWithinItsStatedBound_AndTheRecomputedOneIsFp64()
    {
        const int n = 300;
        const double noise = 0.05;
        var network = Nngp.FullyConnected(3, Nngp.Relu(), 1.6, 0.1);
        var x = PcgSolverTests.Random(n, 12, 7);
        var v = PcgSolverTests.Random(n, 3, 8);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var kernel = engine.Kernel(network, x, null, cancellationToken: TestContext.Current.CancellationToken);
        var expected = (kernel * v) + (noise * v);
        var bound = kernel.PointwiseAbs() * v.PointwiseAbs();

        using var provider = new CpuProvider(HostLinearAlgebra.Native(out _) ?? HostLinearAlgebra.Managed);
        var request = new FitRequest(LayerPlan.Compile(network), x, v, PcgSolverTests.Pcg(noise, KernelStorage.Fp32));
        double[] inputs = HostPreparation.ColumnMajor(x);
        using var onProvider = provider.Upload(inputs, "inputs");
        using var source = KernelSources.For(provider, request, onProvider);
        source.PrepareCross(HostPreparation.InputVariances(inputs, n, x.ColumnCount));
        var parallelism = new ParallelOptions { CancellationToken = TestContext.Current.CancellationToken };
        using var tiles = new TrainingTiles(provider, source, inputs, n, x.ColumnCount, parallelism, RowPartition.Whole(n));
        using var stored = Fp32Kernel.Store(provider, tiles, noise, null, TestContext.Current.CancellationToken);
        using var recomputed = new RecomputedKernel(provider, tiles, noise);
        var fp32 = new double[n * 3];
        var fp64 = new double[n * 3];
        stored.Apply(v.ToColumnMajorArray(), 3, fp32, TestContext.Current.CancellationToken);
        recomputed.Apply(v.ToColumnMajorArray(), 3, fp64, TestContext.Current.CancellationToken);

        double worstShare = 0;
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < n; i++)
            {
                double allowed = (Fp32Kernel.StorageRoundoff + 1e-13) * bound[i, c];
                double error = Math.Abs(fp32[(c * n) + i] - expected[i, c]);
                Assert.True(error <= allowed, $"({i}, {c}): error {error:G3} above the bound {allowed:G3}");
                worstShare = Math.Max(worstShare, error / (Fp32Kernel.StorageRoundoff * bound[i, c]));
                Assert.True(Math.Abs(fp64[(c * n) + i] - expected[i, c]) <= 1e-12 * bound[i, c], $"recomputed ({i}, {c})");
            }
        }

        // FP32's rounding is there: some entry spends a visible share of the bound (FP64 storage: ~1e-9).
        Assert.True(worstShare > 1e-3, $"largest error / bound = {worstShare:G3}");
    }
}
