using System.Globalization;
using GpuNngp.Kernels;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace GpuNngp.Experiments.Selection;

/// <summary>
/// Gradient-based maximisation of the log marginal likelihood of the fully connected
/// GP-depth-σw²-σb² over σw², σb² and the noise σε², for activations whose dual kernel has
/// closed-form derivatives (identity, the ReLU family, erf): the kernel and its derivatives by the
/// chain rule through the layers (<see cref="KernelDerivatives"/>), then
/// ∂ log p/∂θ = ½ Σ_c tr((α_cα_cᵀ − A⁻¹)∂A/∂θ). The optimiser is MathNet's box-constrained BFGS
/// (<see cref="BfgsBMinimizer"/>) on log σw², σb² and log σε² (σb² on its own scale, so that its
/// bound 0 can be reached). Everything runs on the host in dense MathNet algebra: O(N²·L) for the
/// kernel and O(N³) for the factor and inverse per evaluation, for training sets up to a few thousand points.
/// </summary>
public static class MarginalLikelihoodOptimizer
{
    /// <summary>The names of the activations it supports, for the refusal of the others.</summary>
    public const string SupportedActivations = "Identity, Relu, LeakyRelu, AbRelu, Abs, Erf";

    /// <summary>log p(Y | X) and its derivatives by σw², σb² and σε² at <paramref name="point"/> (its depth included).</summary>
    /// <exception cref="NngpInputException">An activation without closed-form derivatives, or inputs that do not match.</exception>
    /// <exception cref="NngpNumericalException">K + σε²I is not positive definite there.</exception>
    public static LikelihoodGradient Gradient(Matrix<double> x, Matrix<double> y, ActivationLayer activation, SearchPoint point)
    {
        var kind = Check(x, y, activation, point.Depth);
        return Evaluate(x, y, kind, point);
    }

    /// <summary>
    /// The point of <paramref name="start"/>'s depth, within the ranges, of the largest log marginal
    /// likelihood BFGS reaches from <paramref name="start"/> (a grid's best point, typically); a fixed
    /// range (<see cref="ParameterRange.IsFixed"/>) keeps that parameter where it is. The best point
    /// evaluated is returned, so it is never worse than the start.
    /// </summary>
    /// <exception cref="NngpInputException">An activation without closed-form derivatives, a start outside the ranges, or bad inputs.</exception>
    public static LikelihoodOptimum Maximize(
        Matrix<double> x, Matrix<double> y, ActivationLayer activation, SearchPoint start,
        ParameterRange weightVariance, ParameterRange biasVariance, ParameterRange noise, int maximumIterations = 200)
    {
        var kind = Check(x, y, activation, start.Depth);
        CheckRange(weightVariance, start.WeightVariance, "σw²", positive: true);
        CheckRange(biasVariance, start.BiasVariance, "σb²", positive: false);
        CheckRange(noise, start.Noise, "noise σε²", positive: true);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumIterations, 1);

        // Free coordinates: 0 = log σw², 1 = σb², 2 = log σε².
        var ranges = new[] { weightVariance, biasVariance, noise };
        int[] free = [.. Enumerable.Range(0, 3).Where(i => !ranges[i].IsFixed)];
        double startValue = Evaluate(x, y, kind, start).LogMarginalLikelihood;
        var best = (Point: start, Value: startValue);
        int evaluations = 1;
        if (free.Length == 0)
        {
            return new LikelihoodOptimum(start, startValue, start, startValue, evaluations, "nothing to optimise (every range is one value)");
        }

        // Scaled by N·C so that one gradient tolerance suits every data size.
        double scale = (double)x.RowCount * y.ColumnCount;
        SearchPoint At(Vector<double> u)
        {
            double[] p = [start.WeightVariance, start.BiasVariance, start.Noise];
            for (int k = 0; k < free.Length; k++)
            {
                int i = free[k];
                p[i] = Math.Clamp(i == 1 ? u[k] : Math.Exp(u[k]), ranges[i].Minimum, ranges[i].Maximum);
            }

            return start with { WeightVariance = p[0], BiasVariance = p[1], Noise = p[2] };
        }

        double Coordinate(int i, double value) => i == 1 ? value : Math.Log(value);

        string? failure = null;
        (double, Vector<double>) Objective(Vector<double> u)
        {
            var point = At(u);
            LikelihoodGradient g;
            try
            {
                g = Evaluate(x, y, kind, point);
            }
            catch (NngpNumericalException e)
            {
                failure = e.Message;
                throw;
            }

            evaluations++;
            if (g.LogMarginalLikelihood > best.Value)
            {
                best = (point, g.LogMarginalLikelihood);
            }

            // d/d log θ = θ·d/dθ for the log coordinates.
            double[] byParameter = [g.ByWeightVariance * point.WeightVariance, g.ByBiasVariance, g.ByNoise * point.Noise];
            var gradient = Vector<double>.Build.Dense(free.Length, k => -byParameter[free[k]] / scale);
            return (-g.LogMarginalLikelihood / scale, gradient);
        }

        var lower = Vector<double>.Build.Dense(free.Length, k => Coordinate(free[k], ranges[free[k]].Minimum));
        var upper = Vector<double>.Build.Dense(free.Length, k => Coordinate(free[k], ranges[free[k]].Maximum));
        double[] startValues = [start.WeightVariance, start.BiasVariance, start.Noise];
        var initial = Vector<double>.Build.Dense(free.Length, k => Coordinate(free[k], startValues[free[k]]));
        string stopped;
        try
        {
            var result = new BfgsBMinimizer(1e-8, 1e-10, 1e-12, maximumIterations)
                .FindMinimum(ObjectiveFunction.Gradient(Objective), lower, upper, initial);
            stopped = $"BFGS exit condition {result.ReasonForExit}";
        }
        catch (Exception e) when (e is OptimizationException || failure is not null)
        {
            // The line search failed or stepped where K + σε²I is singular: the best point so far stands.
            stopped = failure is not null ? $"stopped: {failure}" : $"stopped: {e.Message}";
        }

        return new LikelihoodOptimum(best.Point, best.Value, start, startValue, evaluations, stopped);
    }

    /// <summary>Refuses, with a one-line <see cref="NngpInputException"/>, an activation whose kernel has no closed-form derivatives.</summary>
    public static void CheckActivation(ActivationLayer activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        if (activation.IsCustom || !DualPartials.Supports(activation.Activation))
        {
            throw new NngpInputException(
                $"activation {activation.Name} has no closed-form derivatives of its kernel: the gradient of the log marginal likelihood exists for {SupportedActivations}; search it on a grid instead");
        }
    }

    private static Activation Check(Matrix<double> x, Matrix<double> y, ActivationLayer activation, int depth)
    {
        CheckActivation(activation);

        Engine.Computation.InputValidation.CheckMatrix(x, "training inputs");
        Engine.Computation.InputValidation.CheckMatrix(y, "training targets");
        if (x.RowCount != y.RowCount)
        {
            throw new NngpInputException($"training inputs have {x.RowCount} rows but training targets {y.RowCount}");
        }

        if (depth < 0)
        {
            throw new NngpInputException($"depth must be ≥ 0, got {depth}");
        }

        return activation.Activation;
    }

    private static void CheckRange(ParameterRange range, double start, string what, bool positive)
    {
        if (!double.IsFinite(range.Minimum) || !double.IsFinite(range.Maximum) || range.Minimum > range.Maximum
            || (positive ? range.Minimum <= 0 : range.Minimum < 0))
        {
            throw new NngpInputException(string.Create(CultureInfo.InvariantCulture,
                $"{what}: the range [{range.Minimum:G6}, {range.Maximum:G6}] must be finite, increasing and {(positive ? "> 0 (it is optimised on a log scale)" : "≥ 0")}"));
        }

        if (start < range.Minimum || start > range.Maximum)
        {
            throw new NngpInputException(string.Create(CultureInfo.InvariantCulture,
                $"{what}: the start {start:G6} is outside its range [{range.Minimum:G6}, {range.Maximum:G6}]"));
        }
    }

    private static LikelihoodGradient Evaluate(Matrix<double> x, Matrix<double> y, Activation activation, SearchPoint point)
    {
        var (kernel, byWeight, byBias) = KernelDerivatives.Compute(x, activation, point.Depth, point.WeightVariance, point.BiasVariance);
        int n = x.RowCount, outputs = y.ColumnCount;
        var a = kernel + point.Noise * Matrix<double>.Build.DenseIdentity(n);
        MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double> cholesky;
        try
        {
            cholesky = a.Cholesky();
        }
        catch (ArgumentException)
        {
            throw new NngpNumericalException(string.Create(CultureInfo.InvariantCulture,
                $"K + σε²I is not positive definite at GP-{point.Depth}-{point.WeightVariance:G6}-{point.BiasVariance:G6} with noise {point.Noise:G3}; raise the noise's lower bound"));
        }

        var alpha = cholesky.Solve(y);
        var inverse = cholesky.Solve(Matrix<double>.Build.DenseIdentity(n));

        // W = ½(Σ_c α_cα_cᵀ − C·A⁻¹); ∂ log p/∂θ = Σ_ij W_ij (∂A/∂θ)_ij.
        var weights = 0.5 * (alpha.TransposeAndMultiply(alpha) - outputs * inverse);
        double value = -0.5 * y.PointwiseMultiply(alpha).Enumerate().Sum()
            - 0.5 * outputs * cholesky.DeterminantLn - 0.5 * n * outputs * Math.Log(2 * Math.PI);
        double byNoise = weights.Trace();
        return new LikelihoodGradient(value, Frobenius(weights, byWeight), Frobenius(weights, byBias), byNoise);
    }

    private static double Frobenius(Matrix<double> a, Matrix<double> b) => a.PointwiseMultiply(b).Enumerate().Sum();
}
