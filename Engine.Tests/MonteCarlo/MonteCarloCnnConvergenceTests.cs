using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.MonteCarlo;

/// <summary>
/// The product's Monte Carlo kernels of convolutional networks against the analytic kernels
/// (<see cref="NngpEngine.Kernel(Network, Matrix{double}, Matrix{double}?, KernelKind)"/>): the mean over
/// S sampled CNNs of C channels approaches the infinite-width NNGP and NTK as C grows — with Flatten
/// and GlobalAvgPool readouts and a residual block — the largest deviation over the pairs, relative
/// to √(K(x,x)K(x′,x′)), within 6/√(C·S) at C = 32 and at C = 512, a bound 4 times tighter there
/// (fixed seeds; measured 0.3–3.3/√(C·S), docs/mathematics.md §9): a kernel 25 % off, or the
/// analytic kernel of a residual block whose skip connection carries activations (a non-Gaussian sum,
/// 0.7 against 1.2 at 256 channels), fails it.
/// </summary>
public sealed class MonteCarloCnnConvergenceTests
{
    private const int Samples = 4;
    private const int Count = 3;
    private const double BoundConstant = 6;

    public static TheoryData<string, KernelKind> Cases => new()
    {
        { "flatten", KernelKind.Nngp },
        { "flatten", KernelKind.Ntk },
        { "gap", KernelKind.Nngp },
        { "gap", KernelKind.Ntk },
        { "residual", KernelKind.Nngp },
        { "residual", KernelKind.Ntk },
    };

    /// <summary>The networks of the table in docs/mathematics.md §9, on 4 × 4 × 2 images.</summary>
    internal static Network Build(string name)
    {
        ILayer[] block = [Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu()];
        Network body = Nngp.Serial(block).Repeat(2);
        return name switch
        {
            "flatten" => body.Then(Nngp.Flatten(), Nngp.Dense(1.6, 0.1)),
            "gap" => body.Then(Nngp.GlobalAvgPool(), Nngp.Dense(1.6, 0.1)),
            // The skip connection carries pre-activations, as in Neural Tangents' WideResNet block: the
            // sum is then Gaussian at infinite width, which the analytic kernel of the ReLU after it assumes.
            _ => Nngp.Serial(Nngp.Conv(3, 3, 1.6, 0.1)).Then(
                Nngp.Residual(Nngp.Serial(Nngp.Relu(), Nngp.Conv(3, 3, 1.6, 0.1), Nngp.Relu(), Nngp.Conv(3, 3, 1.6, 0.1)), Nngp.IdentityBranch),
                Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1.6, 0.1)),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SampledCnns_ApproachTheAnalyticKernel_AsTheChannelsGrow(string name, KernelKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        Network network = Build(name).OnImages(4, 4, 2);
        Matrix<double> x = SampledCnns.Images(network, Count, 21);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Matrix<double> exact = engine.Kernel(network, x, null, kind);
        foreach (int channels in new[] { 32, 512 })
        {
            var options = new MonteCarloOptions { Width = channels, Samples = Samples, Seed = 3, Kind = kind };
            Matrix<double> estimate = engine.MonteCarloKernel(network, x, null, options, ct);
            double worst = 0;
            for (int a = 0; a < Count; a++)
            {
                for (int b = 0; b <= a; b++)
                {
                    worst = Math.Max(worst, Math.Abs(estimate[a, b] - exact[a, b]) / Math.Sqrt(exact[a, a] * exact[b, b]));
                }
            }

            double scale = 1 / Math.Sqrt(channels * Samples);
            string line = FormattableString.Invariant($"{name} {kind}, {channels} channels: max relative deviation {worst:G3} = {worst / scale:F2}/√(C·S)");
            TestContext.Current.TestOutputHelper?.WriteLine(line);
            Assert.True(worst <= BoundConstant * scale, line);
        }
    }
}
