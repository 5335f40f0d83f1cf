using MathNet.Numerics.LinearAlgebra;
using GpuNngp.Engine.Tests.Kernels;
using Xunit;

namespace GpuNngp.Engine.Tests.MonteCarlo;

/// <summary>
/// The Monte Carlo kernels of finite networks converge to the analytic NNGP and NTK as the width W
/// grows: the largest deviation relative to the entry's scale √(K(x,x)K(x′,x′)) stays below
/// c/√(W·S) at W = 64, 256 and 1024 (S = 8 draws, fixed seeds), shrinks from W = 64 to 1024, and at
/// W = 1024 the same estimate rejects the kernel of a network with σw² × 1.25 (the bound means something).
/// <para>
/// The constant c = 12: each entry of one draw's estimate is a mean over W terms of relative spread of
/// order 1, so its standard deviation is σ₁/√W and that of S draws σ₁/√(W·S). σ₁ was measured for the
/// noisiest case, the ReLU NTK of one output (8 single draws each at W = 256 and 1024: median deviation
/// 3.2/√W, worst 6.6/√W); the maximum over the 10 distinct entries and the tails take √(W·S)·deviation
/// to 6.1 at most in these runs (NNGP: 4.8), and the finite-width bias (O(1/W)) is below the noise
/// while S &lt; W. c = 12 is twice the worst value measured.
/// </para>
/// </summary>
public sealed class MonteCarloConvergenceTests
{
    private const int Samples = 8;
    private const double BoundConstant = 12;
    private const double WrongWeightScale = 1.25;
    private static readonly int[] Widths = [64, 256, 1024];

    /// <summary>The 4 points of RandomNetworkLimitTests: d = 5, different norms and angles.</summary>
    private static Matrix<double> Inputs => RandomNetworkLimitTests.Inputs;

    public static TheoryData<string, KernelKind> Settings => new()
    {
        { "relu", KernelKind.Nngp },
        { "relu", KernelKind.Ntk },
        { "erf", KernelKind.Nngp },
        { "erf", KernelKind.Ntk },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void MonteCarloKernel_ConvergesToTheAnalyticKernel(string activation, KernelKind kind)
    {
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        Network network = Network(activation, 1);
        Matrix<double> analytic = engine.Kernel(network, Inputs, null, new KernelOptions { Kind = kind }, TestContext.Current.CancellationToken);
        Matrix<double> wrong = engine.Kernel(Network(activation, WrongWeightScale), Inputs, null, new KernelOptions { Kind = kind }, TestContext.Current.CancellationToken);
        Matrix<double> widest = analytic;

        var deviations = new double[Widths.Length];
        for (int w = 0; w < Widths.Length; w++)
        {
            var options = new MonteCarloOptions { Width = Widths[w], Samples = Samples, Seed = 100 + w, Kind = kind };
            Matrix<double> estimate = engine.MonteCarloKernel(network, Inputs, null, options, TestContext.Current.CancellationToken);
            deviations[w] = MaxRelativeDeviation(estimate, analytic);
            widest = estimate;
        }

        string measured = string.Join(", ", Widths.Select((width, w) => FormattableString.Invariant($"W={width}: {deviations[w]:G3} (bound {Bound(width):G3})")));
        for (int w = 0; w < Widths.Length; w++)
        {
            Assert.True(deviations[w] <= Bound(Widths[w]), $"{activation} {kind}: {measured}");
        }

        Assert.True(deviations[^1] < deviations[0], $"{activation} {kind}: the deviation did not shrink: {measured}");

        // Power: at the largest width the bound rejects the kernel of σw² × 1.25.
        double offWrong = MaxRelativeDeviation(widest, wrong);
        Assert.True(offWrong > Bound(Widths[^1]), FormattableString.Invariant($"{activation} {kind}: the kernel with σw² × {WrongWeightScale} is within the bound ({offWrong:G3})"));
    }

    private static Network Network(string activation, double weightScale) => activation == "relu"
        ? Nngp.FullyConnected(2, Nngp.Relu(), 2.0 * weightScale, 0.1)
        : Nngp.FullyConnected(2, Nngp.Erf(), 1.5 * weightScale, 0.2);

    /// <summary>max over entries of |estimate − analytic| / √(K(x,x)·K(x′,x′)).</summary>
    internal static double MaxRelativeDeviation(Matrix<double> estimate, Matrix<double> analytic)
    {
        double worst = 0;
        for (int i = 0; i < analytic.RowCount; i++)
        {
            for (int j = 0; j < analytic.ColumnCount; j++)
            {
                worst = Math.Max(worst, Math.Abs(estimate[i, j] - analytic[i, j]) / Math.Sqrt(analytic[i, i] * analytic[j, j]));
            }
        }

        return worst;
    }

    private static double Bound(int width) => BoundConstant / Math.Sqrt(width * (double)Samples);
}
