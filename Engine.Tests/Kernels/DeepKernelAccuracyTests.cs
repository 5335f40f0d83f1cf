using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using Xunit;

namespace GpuNngp.Engine.Tests.Kernels;

/// <summary>
/// The whole kernel of a deep network through the engine's recursion with the default quadrature,
/// against the recursion written out here on the independent integration (GaussianExpectation):
/// depth 20, a few points of different norms (so no lookup table applies and every entry, the
/// diagonal included, is integrated directly), NNGP and NTK, within 1e-10 of the largest entry.
/// </summary>
public sealed class DeepKernelAccuracyTests
{
    private const int Depth = 20;

    [Theory]
    [InlineData("tanh", 5.0, 2.0)]
    [InlineData("softplus", 1.5, 0.1)]
    public void DepthTwentyKernel_MatchesTheReferenceRecursion(string name, double weightVariance, double biasVariance)
    {
        var (phi, derivative, _) = QuadratureAccuracyTests.Case(name);
        var compiled = Nngp.FullyConnected(Depth, Nngp.ActivationByName(name), weightVariance, biasVariance).Compile();
        var view = HostPreparation.View(compiled, QuadratureRules.DefaultOrder);

        // Three inputs of different norms, as K⁰ = x·x′/d: a 3×3 Gram.
        double[,] gram = { { 1.0, 0.3, -0.5 }, { 0.3, 2.0, 0.9 }, { -0.5, 0.9, 0.7 } };
        const int n = 3;
        double[] inputVariances = [gram[0, 0], gram[1, 1], gram[2, 2]];
        var (layerVariances, _) = HostPreparation.Diagonals(view, inputVariances, KernelKind.Ntk);
        var diagonal = new HostDiagonalView(layerVariances, n);

        // The reference: the same recursion, each F and Ḟ by the adaptive Gauss–Kronrod integral.
        var k = new double[n, n];
        var theta = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                k[i, j] = biasVariance + weightVariance * gram[i, j];
                theta[i, j] = k[i, j];
            }
        }

        for (int layer = 0; layer < Depth; layer++)
        {
            var next = new double[n, n];
            var nextTheta = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double f = QuadratureAccuracyTests.Reference(phi, phi, k[i, j], k[i, i], k[j, j]);
                    double fDot = QuadratureAccuracyTests.Reference(derivative, derivative, k[i, j], k[i, i], k[j, j]);
                    next[i, j] = next[j, i] = biasVariance + weightVariance * f;
                    nextTheta[i, j] = nextTheta[j, i] = next[i, j] + weightVariance * fDot * theta[i, j];
                }
            }

            k = next;
            theta = nextTheta;
        }

        foreach (var kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            double[,] expected = kind == KernelKind.Nngp ? k : theta;
            double largest = Enumerable.Range(0, n).Max(i => Math.Abs(expected[i, i]));
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double actual = LayerRecursion.Entry(view, gram[i, j], diagonal, i, diagonal, j, kind);
                    Assert.True(
                        Math.Abs(actual - expected[i, j]) <= 1e-10 * largest,
                        FormattableString.Invariant($"{name} {kind} ({i}, {j}): engine {actual:R}, reference {expected[i, j]:R}, largest entry {largest:G6}"));
                }
            }
        }
    }
}
