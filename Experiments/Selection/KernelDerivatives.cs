using GpuNngp.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Experiments.Selection;

/// <summary>
/// The NNGP kernel of the fully connected GP-depth-σw²-σb² on the host with its derivatives by σw²
/// and σb², by the chain rule through the recursion: K¹ = σb² + σw²K⁰ gives ∂K¹/∂σw² = K⁰ and
/// ∂K¹/∂σb² = 1; each hidden layer K' = σb² + σw²F(K, q, q') gives
/// ∂K'/∂θ = [θ = σb²] + [θ = σw²]·F + σw²(∂F/∂k12·∂K/∂θ + ∂F/∂k11·∂q/∂θ + ∂F/∂k22·∂q'/∂θ),
/// the diagonals q following the same rule (<see cref="DualPartials"/> supplies the partials).
/// </summary>
internal static class KernelDerivatives
{
    /// <summary>K, ∂K/∂σw² and ∂K/∂σb² (N×N) of the rows of <paramref name="x"/>, K⁰ = X·Xᵀ/d.</summary>
    public static (Matrix<double> Kernel, Matrix<double> ByWeight, Matrix<double> ByBias) Compute(
        Matrix<double> x, Activation activation, int depth, double weightVariance, double biasVariance)
    {
        int n = x.RowCount;
        var inputs = x.TransposeAndMultiply(x) / x.ColumnCount;

        // Per point and hidden layer: the variance entering the activation and its two derivatives.
        var q = new double[depth, n];
        var qByWeight = new double[depth, n];
        var qByBias = new double[depth, n];
        for (int i = 0; i < n; i++)
        {
            var chain = Chain.First(inputs[i, i], weightVariance, biasVariance);
            for (int layer = 0; layer < depth; layer++)
            {
                (q[layer, i], qByWeight[layer, i], qByBias[layer, i]) = (chain.Value, chain.ByWeight, chain.ByBias);
                chain = chain.Next(activation, weightVariance, biasVariance, chain.Value, chain.ByWeight, chain.ByBias, chain.Value, chain.ByWeight, chain.ByBias);
            }
        }

        var kernel = Matrix<double>.Build.Dense(n, n);
        var byWeight = Matrix<double>.Build.Dense(n, n);
        var byBias = Matrix<double>.Build.Dense(n, n);
        Parallel.For(0, n, j =>
        {
            for (int i = j; i < n; i++)
            {
                var chain = Chain.First(inputs[i, j], weightVariance, biasVariance);
                for (int layer = 0; layer < depth; layer++)
                {
                    chain = chain.Next(activation, weightVariance, biasVariance,
                        q[layer, i], qByWeight[layer, i], qByBias[layer, i], q[layer, j], qByWeight[layer, j], qByBias[layer, j]);
                }

                (kernel[i, j], kernel[j, i]) = (chain.Value, chain.Value);
                (byWeight[i, j], byWeight[j, i]) = (chain.ByWeight, chain.ByWeight);
                (byBias[i, j], byBias[j, i]) = (chain.ByBias, chain.ByBias);
            }
        });

        return (kernel, byWeight, byBias);
    }

    /// <summary>One entry's value and derivatives after a dense layer.</summary>
    private readonly record struct Chain(double Value, double ByWeight, double ByBias)
    {
        /// <summary>The first dense layer on K⁰: σb² + σw²K⁰.</summary>
        public static Chain First(double input, double weightVariance, double biasVariance) =>
            new(biasVariance + weightVariance * input, input, 1);

        /// <summary>The next hidden layer, the row's and column's variances (and their derivatives) given.</summary>
        public Chain Next(
            Activation activation, double weightVariance, double biasVariance,
            double rowVariance, double rowByWeight, double rowByBias, double columnVariance, double columnByWeight, double columnByBias)
        {
            var p = DualPartials.Evaluate(activation, Value, rowVariance, columnVariance);
            double byWeight = p.F + weightVariance * (p.ByCovariance * ByWeight + p.ByRowVariance * rowByWeight + p.ByColumnVariance * columnByWeight);
            double byBias = 1 + weightVariance * (p.ByCovariance * ByBias + p.ByRowVariance * rowByBias + p.ByColumnVariance * columnByBias);
            return new Chain(biasVariance + weightVariance * p.F, byWeight, byBias);
        }
    }
}
