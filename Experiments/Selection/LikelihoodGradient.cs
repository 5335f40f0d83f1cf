namespace GpuNngp.Experiments.Selection;

/// <summary>
/// log p(Y | X) at one (σw², σb², σε²) of a fully connected network and its partial derivatives,
/// ∂/∂θ = ½ Σ_c tr((α_cα_cᵀ − A⁻¹) ∂A/∂θ) with A = K + σε²I (<see cref="MarginalLikelihoodOptimizer.Gradient"/>).
/// </summary>
/// <param name="LogMarginalLikelihood">log p(Y | X), summed over the outputs.</param>
/// <param name="ByWeightVariance">∂ log p / ∂σw².</param>
/// <param name="ByBiasVariance">∂ log p / ∂σb².</param>
/// <param name="ByNoise">∂ log p / ∂σε².</param>
public readonly record struct LikelihoodGradient(double LogMarginalLikelihood, double ByWeightVariance, double ByBiasVariance, double ByNoise);
