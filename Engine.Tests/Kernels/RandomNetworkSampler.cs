using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Tests.Kernels;

/// <summary>
/// Finite-width random fully connected networks, for checking the analytic kernels against their
/// defining limit. Every network is drawn afresh with explicit Gaussian weight matrices in NTK
/// parameterisation, h^{l+1} = (σw/√n_l)·W^l·a^l + σb·b^l with W, b ~ N(0, 1) — the same forward
/// distribution as weights ~ N(0, σw²/n_l) and biases ~ N(0, σb²) — and evaluated at P inputs at once.
/// <para>
/// Per network it returns two P×P matrices: the NNGP estimate σb² + σw²·a^L(x)·a^L(x′)/n, which is
/// E[f(x)f(x′) | hidden layers] for the dense readout f = (σw/√n)·v·a^L + σb·b (its Gaussian weights
/// integrated exactly instead of sampled: the same expectation over networks, with less noise); and
/// the empirical NTK Σ_θ ∂f(x)/∂θ·∂f(x′)/∂θ of the network, readout weights v sampled.
/// </para>
/// The heavy steps stay fast in a Debug build: the matrix products run in MathNet (built optimised),
/// and the Gaussian generator is marked for full optimisation.
/// </summary>
internal sealed class RandomNetworkSampler
{
    private readonly Func<double, double> _phi;
    private readonly Func<double, double> _phiDerivative;
    private readonly double _weightVariance;
    private readonly double _biasVariance;
    private readonly int _width;
    private readonly int _depth;
    private readonly Random _random;

    public RandomNetworkSampler(
        Func<double, double> phi, Func<double, double> phiDerivative, int depth, int width, double weightVariance, double biasVariance, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        _phi = phi;
        _phiDerivative = phiDerivative;
        _depth = depth;
        _width = width;
        _weightVariance = weightVariance;
        _biasVariance = biasVariance;
        _random = new Random(seed);
    }

    /// <summary>Draws one network; its NNGP estimate and empirical NTK at the rows of <paramref name="inputs"/> (P×d).</summary>
    public (Matrix<double> Nngp, Matrix<double> Ntk) Sample(Matrix<double> inputs)
    {
        int points = inputs.RowCount;
        int d = inputs.ColumnCount;
        int n = _width;
        double sw = Math.Sqrt(_weightVariance);
        double sb = Math.Sqrt(_biasVariance);

        // Forward pass: layer inputs (d×P, then n×P), weights W^l (n×n_in) and pre-activations h^l (n×P).
        var layerInputs = new Matrix<double>[_depth];
        var weights = new Matrix<double>[_depth];
        var pre = new Matrix<double>[_depth];
        Matrix<double> a = inputs.Transpose();
        for (int l = 0; l < _depth; l++)
        {
            int fanIn = a.RowCount;
            layerInputs[l] = a;
            weights[l] = Gaussian(n, fanIn);
            Vector<double> bias = Vector<double>.Build.Dense(NormalArray(n));
            Matrix<double> h = weights[l].Multiply(a).Multiply(sw / Math.Sqrt(fanIn));
            for (int p = 0; p < points; p++)
            {
                h.SetColumn(p, h.Column(p).Add(bias.Multiply(sb)));
            }

            pre[l] = h;
            a = h.Map(_phi);
        }

        // Readout f = (σw/√n)·v·a^L + σb·b: its NNGP estimate, and its own parameters' NTK term.
        Matrix<double> nngp = a.TransposeThisAndMultiply(a).Multiply(_weightVariance / n).Add(_biasVariance);
        Matrix<double> ntk = nngp.Clone();

        // Backward pass: δ = ∂f/∂h^l (n×P), from δ = (σw/√n)·v ⊙ φ'(h^L); layer l's parameters
        // contribute (σw²·a^{l−1}·a^{l−1}′/n_in + σb²)·(δ·δ′).
        Vector<double> readout = Vector<double>.Build.Dense(NormalArray(n));
        Matrix<double> delta = pre[_depth - 1].Map(_phiDerivative);
        for (int p = 0; p < points; p++)
        {
            delta.SetColumn(p, delta.Column(p).PointwiseMultiply(readout).Multiply(sw / Math.Sqrt(n)));
        }

        for (int l = _depth - 1; l >= 0; l--)
        {
            int fanIn = layerInputs[l].RowCount;
            Matrix<double> inputCovariance = layerInputs[l].TransposeThisAndMultiply(layerInputs[l]).Multiply(_weightVariance / fanIn).Add(_biasVariance);
            ntk = ntk.Add(inputCovariance.PointwiseMultiply(delta.TransposeThisAndMultiply(delta)));
            if (l > 0)
            {
                delta = weights[l].TransposeThisAndMultiply(delta).Multiply(sw / Math.Sqrt(fanIn))
                    .PointwiseMultiply(pre[l - 1].Map(_phiDerivative));
            }
        }

        return (nngp, ntk);
    }

    private Matrix<double> Gaussian(int rows, int columns) => Matrix<double>.Build.Dense(rows, columns, NormalArray(rows * columns));

    /// <summary>Independent N(0, 1) values by Box–Muller from the seeded generator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double[] NormalArray(int count)
    {
        var values = new double[count + (count & 1)];
        for (int i = 0; i < count; i += 2)
        {
            double radius = Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble()));
            (double sin, double cos) = Math.SinCos(2 * Math.PI * _random.NextDouble());
            values[i] = radius * cos;
            values[i + 1] = radius * sin;
        }

        return values.Length == count ? values : values[..count];
    }
}
