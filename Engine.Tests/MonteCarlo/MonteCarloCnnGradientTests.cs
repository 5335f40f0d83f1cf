using Xunit;

namespace GpuNngp.Engine.Tests.MonteCarlo;

/// <summary>
/// The convolutional sampler's backward pass, directly: one drawn network's tangent kernel J·Jᵀ
/// (backpropagated through every layer of <see cref="SampledCnns"/>) against the same product
/// formed from central finite differences of the readout's first unit in every parameter — the
/// sampler's own forward pass rerun with each weight and bias moved by ±h. Independent of the
/// analytic kernel; the forward pass is checked against the analytic kernel by the convergence tests.
/// </summary>
public sealed class MonteCarloCnnGradientTests
{
    private const int Points = 3;
    private const double Step = 1e-5;

    [Theory]
    [MemberData(nameof(SampledCnns.Names), MemberType = typeof(SampledCnns))]
    public void OneDrawsTangentKernel_IsTheFiniteDifferenceJacobiansProduct(string name)
    {
        var ct = TestContext.Current.CancellationToken;
        Network network = SampledCnns.Build(name);
        var x = SampledCnns.Images(network, Points, 5);
        using var provider = SampledCnns.Cpu();
        using var sampled = SampledCnns.Sampler(provider, network, x, SampledCnns.Width, ntk: true);
        sampled.Draw(new Random(11), ct);
        sampled.AddNtk(ct);
        var ntk = new double[Points * Points];
        provider.CopyOut(sampled.Sum, 0, ntk);

        int width = sampled.Width;
        var jacobian = new List<double[]>();
        foreach (double[] parameters in sampled.Parameters)
        {
            for (int t = 0; t < parameters.Length; t++)
            {
                double saved = parameters[t];
                parameters[t] = saved + Step;
                sampled.Forward(ct);
                double[] up = sampled.Outputs();
                parameters[t] = saved - Step;
                sampled.Forward(ct);
                double[] down = sampled.Outputs();
                parameters[t] = saved;
                jacobian.Add([.. Enumerable.Range(0, Points).Select(p => (up[p * width] - down[p * width]) / (2 * Step))]);
            }
        }

        double worst = 0;
        for (int i = 0; i < Points; i++)
        {
            for (int j = 0; j < Points; j++)
            {
                double direct = jacobian.Sum(row => row[i] * row[j]);
                double error = Math.Abs(ntk[i + Points * j] - direct) / Math.Max(1, Math.Abs(direct));
                worst = Math.Max(worst, error);
                Assert.True(error <= 1e-7, FormattableString.Invariant($"{name} ({i},{j}): backpropagated {ntk[i + Points * j]:G17}, finite differences {direct:G17}"));
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(FormattableString.Invariant($"{name}: {jacobian.Count} parameters, largest relative difference {worst:G3}"));
    }

    /// <summary>
    /// One draw of (Conv 3×3 same → ReLU) × 2 → Flatten → Dense against <see cref="PlainLoopCnn"/> on
    /// the same parameters: the readout's first unit f(x) (the forward pass) and J·Jᵀ (the backward pass).
    /// </summary>
    [Fact]
    public void OneDraw_MatchesAPlainLoopCnn()
    {
        const int width = 5;
        var ct = TestContext.Current.CancellationToken;
        Network network = MonteCarloCnnConvergenceTests.Build("flatten").OnImages(4, 4, 2);
        var x = SampledCnns.Images(network, Points, 8);
        using var provider = SampledCnns.Cpu();
        using var sampled = SampledCnns.Sampler(provider, network, x, width, ntk: true);
        sampled.Draw(new Random(4), ct);
        sampled.AddNtk(ct);
        var ntk = new double[Points * Points];
        provider.CopyOut(sampled.Sum, 0, ntk);
        double[] outputs = sampled.Outputs();

        // The readout's first unit reads V[e] = W₃[0, e]: the first row of the column-major W₃.
        double[][] parameters = [.. sampled.Parameters];
        parameters[4] = [.. Enumerable.Range(0, parameters[4].Length / width).Select(e => parameters[4][e * width])];
        var plain = new PlainLoopCnn(4, 4, 2, width, 1.6, 0.1, parameters);
        double[][] images = [.. Enumerable.Range(0, Points).Select(p => x.Row(p).ToArray())];
        double[][] gradients = [.. images.Select(plain.Gradient)];
        for (int i = 0; i < Points; i++)
        {
            double f = plain.Output(images[i]);
            Assert.True(Math.Abs(outputs[i * width] - f) <= 1e-12 * Math.Max(1, Math.Abs(f)), FormattableString.Invariant($"f(x{i}): sampler {outputs[i * width]:G17}, plain loops {f:G17}"));
            for (int j = 0; j < Points; j++)
            {
                double direct = gradients[i].Zip(gradients[j]).Sum(pair => pair.First * pair.Second);
                Assert.True(Math.Abs(ntk[i + Points * j] - direct) <= 1e-12 * Math.Max(1, Math.Abs(direct)), FormattableString.Invariant($"({i},{j}): sampler {ntk[i + Points * j]:G17}, plain loops {direct:G17}"));
            }
        }
    }

    /// <summary>
    /// 40 images of 8 × 8 (P·N = 2,560 columns) make the tangent kernel's Gram matrices go in tiles
    /// of 32 points; the networks drawn do not depend on the points, so the entries of the first,
    /// a second-tile and a cross-tile pair equal those of the same three images sampled alone (one tile).
    /// </summary>
    [Fact]
    public void TiledGramMatrices_GiveTheUntiledKernel()
    {
        var ct = TestContext.Current.CancellationToken;
        Network network = Nngp.Serial(Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Tanh(), Nngp.Conv(3, 3, 1.4, 0.2, Padding.Same, 2, 2), Nngp.Erf(), Nngp.Flatten(), Nngp.Dense(1.5, 0.1)).OnImages(8, 8, 1);
        var all = SampledCnns.Images(network, 40, 6);
        int[] chosen = [0, 35, 36];
        var few = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowVectors(chosen.Select(all.Row));
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var options = new MonteCarloOptions { Width = 4, Samples = 2, Seed = 8, Kind = KernelKind.Ntk };
        var tiled = engine.MonteCarloKernel(network, all, null, options, ct);
        var alone = engine.MonteCarloKernel(network, few, null, options, ct);
        for (int i = 0; i < chosen.Length; i++)
        {
            for (int j = 0; j < chosen.Length; j++)
            {
                double expected = alone[i, j], actual = tiled[chosen[i], chosen[j]];
                Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Max(1, Math.Abs(expected)), FormattableString.Invariant($"({chosen[i]},{chosen[j]}): tiled {actual:G17}, alone {expected:G17}"));
            }
        }
    }
}
