using GpuNngp.Kernels;
using Xunit;

namespace GpuNngp.Engine.Tests.Kernels;

/// <summary>
/// The n-point rule for E[f(z)], z ~ N(0, 1), for every order the engine accepts (1…300).
/// Before the Sturm-safeguarded Newton iteration, orders 199–300 returned every node equal to the
/// largest root (weights summing to ~1e-160); these tests would have caught it.
/// Measured: |Σw − 1| ≤ 1.5e-15, moments E[z^2k] for 2k ≤ 2n − 2 within 1e-13 relative, the first
/// inexact moment within 1e-13 of its predicted value, for all orders.
/// </summary>
public sealed class GaussHermiteRuleTests
{
    private static readonly Lazy<GaussHermiteRule[]> Rules = new(
        () => Enumerable.Range(1, GaussHermiteRule.MaxOrder).Select(GaussHermiteRule.Create).ToArray());

    [Fact]
    public void WeightsArePositiveAndSumToOne_AllOrders()
    {
        foreach (var rule in Rules.Value)
        {
            Assert.Equal(rule.Order, rule.Nodes.Length);
            Assert.Equal(rule.Order, rule.Weights.Length);
            Assert.All(rule.Weights, w => Assert.True(w > 0 && double.IsFinite(w)));
            double sum = rule.Weights.Sum();
            Assert.True(Math.Abs(sum - 1) <= 4e-15, FormattableString.Invariant($"order {rule.Order}: Σw − 1 = {sum - 1:E2}"));
        }
    }

    [Fact]
    public void NodesAreStrictlyIncreasingAndExactlySymmetric_AllOrders()
    {
        foreach (var rule in Rules.Value)
        {
            int n = rule.Order;
            for (int i = 0; i < n; i++)
            {
                Assert.True(double.IsFinite(rule.Nodes[i]));
                Assert.Equal(-rule.Nodes[n - 1 - i], rule.Nodes[i]);
                Assert.Equal(rule.Weights[n - 1 - i], rule.Weights[i]);
                if (i > 0)
                {
                    Assert.True(rule.Nodes[i] > rule.Nodes[i - 1], $"order {n}: nodes {i - 1} and {i} are not increasing");
                }
            }

            if (n % 2 == 1)
            {
                Assert.Equal(0.0, rule.Nodes[n / 2]);
            }

            // All roots of He_n lie inside (−√(4n+2), √(4n+2)).
            Assert.True(rule.Nodes[^1] < Math.Sqrt(4.0 * n + 2));
        }
    }

    /// <summary>
    /// E[z^2k] = (2k−1)!! for 2k ≤ 2n−1, computed as Σ wᵢ·zᵢ^2k/(2k−1)!! = 1 with the ratio built up
    /// term by term (no overflow up to k = 299); odd moments vanish by the exact symmetry above.
    /// And the first moment the rule cannot integrate is off by exactly n!: Σ wᵢ zᵢ^2n = (2n−1)!! − n!
    /// (z^2n − He_n(z)² has degree 2n − 1, E[He_n²] = n!, He_n(zᵢ) = 0) — a sharp check that the
    /// nodes are the roots of He_n and not merely some symmetric set with the right low moments.
    /// </summary>
    [Fact]
    public void EvenMomentsAreDoubleFactorials_UpToDegree2nMinus1_AndDegree2nIsOffByNFactorial()
    {
        foreach (var rule in Rules.Value)
        {
            int n = rule.Order;
            var terms = (double[])rule.Weights.Clone();
            for (int k = 1; k <= n; k++)
            {
                double moment = 0;
                for (int i = 0; i < n; i++)
                {
                    terms[i] *= rule.Nodes[i] * rule.Nodes[i] / (2 * k - 1);
                    moment += terms[i];
                }

                if (k < n)
                {
                    Assert.True(Math.Abs(moment - 1) <= 1e-12, FormattableString.Invariant($"order {n}: E[z^{2 * k}]/(2k−1)!! − 1 = {moment - 1:E2}"));
                }
                else
                {
                    double logRatio = 0; // log(n!/(2n−1)!!)
                    for (int j = 1; j <= n; j++)
                    {
                        logRatio += Math.Log(j) - Math.Log(2 * j - 1);
                    }

                    double expected = 1 - Math.Exp(logRatio);
                    Assert.True(Math.Abs(moment - expected) <= 1e-12, FormattableString.Invariant($"order {n}: degree-2n moment {moment:R}, expected {expected:R}"));
                }
            }
        }
    }

    [Fact]
    public void SmallOrders_MatchKnownRules()
    {
        var one = GaussHermiteRule.Create(1);
        Assert.Equal(0.0, one.Nodes[0]);
        Assert.True(Math.Abs(one.Weights[0] - 1) <= 1e-15);

        var two = GaussHermiteRule.Create(2);
        Assert.True(Math.Abs(two.Nodes[1] - 1) <= 1e-15);
        Assert.True(Math.Abs(two.Weights[0] - 0.5) <= 1e-15);

        var three = GaussHermiteRule.Create(3);
        Assert.True(Math.Abs(three.Nodes[2] - Math.Sqrt(3)) <= 1e-15);
        Assert.True(Math.Abs(three.Weights[1] - 2.0 / 3) <= 1e-15);
        Assert.True(Math.Abs(three.Weights[0] - 1.0 / 6) <= 1e-15);

        // He_4 = z⁴ − 6z² + 3: roots √(3 ± √6), weights (3 ∓ √6)/12.
        var four = GaussHermiteRule.Create(4);
        Assert.True(Math.Abs(four.Nodes[3] - Math.Sqrt(3 + Math.Sqrt(6))) <= 2e-15);
        Assert.True(Math.Abs(four.Nodes[2] - Math.Sqrt(3 - Math.Sqrt(6))) <= 2e-15);
        Assert.True(Math.Abs(four.Weights[3] - (3 - Math.Sqrt(6)) / 12) <= 1e-15);
        Assert.True(Math.Abs(four.Weights[2] - (3 + Math.Sqrt(6)) / 12) <= 1e-15);
    }

    [Fact]
    public void SmoothExpectations_ConvergeAtHighOrders()
    {
        // E[cos(z)] = e^{−1/2}, E[e^{z/2}] = e^{1/8}: entire functions, the rule is exact to rounding.
        foreach (int order in new[] { 40, 100, 199, 200, 250, 300 })
        {
            var rule = GaussHermiteRule.Create(order);
            double cos = 0, exp = 0;
            for (int i = 0; i < order; i++)
            {
                cos += rule.Weights[i] * Math.Cos(rule.Nodes[i]);
                exp += rule.Weights[i] * Math.Exp(rule.Nodes[i] / 2);
            }

            Assert.True(Math.Abs(cos - Math.Exp(-0.5)) <= 1e-14, $"order {order}");
            Assert.True(Math.Abs(exp - Math.Exp(0.125)) <= 1e-14, $"order {order}");
        }
    }

    [Fact]
    public void OrdersOutsideOneTo300_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussHermiteRule.Create(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussHermiteRule.Create(GaussHermiteRule.MaxOrder + 1));
    }
}
