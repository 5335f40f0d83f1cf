using System.Globalization;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Computation;

/// <summary>
/// The one place both backends check that a kernel and what is computed from it are finite, so that
/// no result is silently NaN. The per-point diagonals q_l = K^l(x, x) are checked layer by layer
/// (O(N·L), on the host for both backends): by Cauchy–Schwarz |K^l(x, x')| ≤ √(q_l(x) q_l(x')), so
/// finite diagonals below <see cref="MaxVariance"/> bound every off-diagonal entry of a true kernel.
/// What a faulty activation (a user's φ returning NaN at some correlations) could still spoil is caught
/// on the outputs: the kernel matrix, log p(Y), the predicted means and variances.
/// </summary>
internal static class FiniteResults
{
    /// <summary>
    /// The largest per-point variance accepted: the map forms k11·k22 (for c = k12/√(k11k22)), which
    /// overflows past √(double.MaxValue) ≈ 1.3e154.
    /// </summary>
    public const double MaxVariance = 1e150;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Checks q⁰ = x·x/d, every layer's q_l (layer-major, L × count) and the output diagonal; the error
    /// names the first layer (1 = the first pre-activation K¹, L+1 = the output) that is not finite.
    /// </summary>
    public static void CheckDiagonals(IReadOnlyList<double> inputVariance, double[] layerMajor, double[] output, int depth, KernelKind kind)
    {
        ArgumentNullException.ThrowIfNull(inputVariance);
        ArgumentNullException.ThrowIfNull(layerMajor);
        ArgumentNullException.ThrowIfNull(output);
        int count = inputVariance.Count;
        for (int i = 0; i < count; i++)
        {
            if (!IsBounded(inputVariance[i]))
            {
                throw new NonFiniteResultException(string.Create(Invariant,
                    $"the inputs are too large: x·x/d of input row {i + 1} is {inputVariance[i]:G3} (the kernel needs it finite and ≤ {MaxVariance:G3}); rescale the inputs"));
            }
        }

        for (int layer = 0; layer < depth; layer++)
        {
            long offset = (long)layer * count;
            for (int i = 0; i < count; i++)
            {
                double q = layerMajor[offset + i];
                if (!IsBounded(q))
                {
                    throw Overflow(layer + 1, depth, q, i, "K");
                }
            }
        }

        for (int i = 0; i < count; i++)
        {
            if (!IsBounded(output[i]))
            {
                throw Overflow(depth + 1, depth, output[i], i, kind == KernelKind.Ntk ? "Θ" : "K");
            }
        }
    }

    /// <summary>Checks a whole kernel matrix after the map, column by column (it may exceed 2^31 entries).</summary>
    public static void CheckKernel(HostMatrix kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        int rows = kernel.RowCount;
        long first = NonFiniteScan.First(kernel.ColumnCount, column => kernel.Column(column), column => ColumnMajor.ColumnStart(column, rows));
        if (first >= 0)
        {
            int row = (int)(first % rows), column = (int)(first / rows);
            throw NotFiniteKernel(row, column, kernel[row, column]);
        }
    }

    /// <summary>
    /// Checks the lower triangle of an n×n kernel in <paramref name="matrix"/> (column-major), where
    /// its provider computed it, so that a failed factorisation of a matrix holding NaN or ∞ is
    /// reported as that, not as a matrix that is not positive definite.
    /// </summary>
    internal static void CheckLowerTriangle(IComputeProvider provider, ProviderBuffer matrix, int n)
    {
        ArgumentNullException.ThrowIfNull(provider);
        long first = provider.FirstNonFiniteLowerTriangle(matrix, n);
        if (first >= 0)
        {
            var value = new double[1];
            provider.CopyOut(matrix, first, value);
            throw NotFiniteKernel((int)(first % n), (int)(first / n), value[0]);
        }
    }

    private static NonFiniteResultException NotFiniteKernel(int row, int column, double value) =>
        new(string.Create(Invariant,
            $"the kernel is not finite: entry ({row + 1}, {column + 1}) is {value} although every per-point variance is finite; the activation returns non-finite values at some correlations"));

    /// <summary>Checks log p(Y) after a fit: NaN or ∞ there means α or the factor is not finite.</summary>
    public static void CheckLogLikelihood(double logLikelihood)
    {
        if (!double.IsFinite(logLikelihood))
        {
            throw new NonFiniteResultException(string.Create(Invariant,
                $"the fit is not finite: log p(Y) = {logLikelihood} (the kernel matrix or its factorisation holds NaN or ∞; the activation returns non-finite values at some correlations)"));
        }
    }

    /// <summary>Checks the predicted means (column-major M × C) and variances.</summary>
    public static void CheckPrediction(double[] meanColumnMajor, int rows, double[]? variance)
    {
        ArgumentNullException.ThrowIfNull(meanColumnMajor);
        long index = InputValidation.FirstNonFinite(meanColumnMajor);
        if (index >= 0)
        {
            throw new NonFiniteResultException(string.Create(Invariant,
                $"the prediction is not finite: the mean of test row {index % rows + 1}, output {index / rows + 1} is {meanColumnMajor[index]} (the test kernel holds NaN or ∞; the activation returns non-finite values at some correlations)"));
        }

        if (variance is not null && InputValidation.FirstNonFinite(variance) is var v and >= 0)
        {
            throw new NonFiniteResultException(string.Create(Invariant,
                $"the prediction is not finite: the variance of test row {v + 1} is {variance[v]} (the test kernel holds NaN or ∞; the activation returns non-finite values at some correlations)"));
        }
    }

    /// <summary>Refuses a posterior covariance holding NaN or ±∞, naming the first entry.</summary>
    public static void CheckCovariance(double[] covarianceColumnMajor, int rows)
    {
        ArgumentNullException.ThrowIfNull(covarianceColumnMajor);
        long index = InputValidation.FirstNonFinite(covarianceColumnMajor);
        if (index >= 0)
        {
            throw new NonFiniteResultException(string.Create(Invariant,
                $"the prediction is not finite: the covariance of test rows {index % rows + 1} and {index / rows + 1} is {covarianceColumnMajor[index]} (the test kernel holds NaN or ∞; the activation returns non-finite values at some correlations)"));
        }
    }

    private static bool IsBounded(double variance) => double.IsFinite(variance) && Math.Abs(variance) <= MaxVariance;

    private static NonFiniteResultException Overflow(int layer, int depth, double value, int point, string symbol) =>
        new(double.IsNaN(value)
            ? string.Create(Invariant, $"the kernel is not finite from layer {layer} of {depth + 1} on: {symbol}^{layer}(x, x) of input row {point + 1} is NaN (the activation's moments are not finite there)")
            : string.Create(Invariant, $"the kernel overflows at layer {layer} of {depth + 1}: {symbol}^{layer}(x, x) of input row {point + 1} is {value:G3}, past {MaxVariance:G3}; lower the weight variance or the depth, or rescale the inputs"));
}
