namespace GpuNngp.Experiments.Selection;

/// <summary>What a search scores its points by, beside the log marginal likelihood every point has.</summary>
public enum SearchScore
{
    /// <summary>The log marginal likelihood and the accuracy on a held-out validation split (classification).</summary>
    Accuracy,

    /// <summary>The log marginal likelihood of the fitted examples alone: no validation split, any real targets.</summary>
    LogMarginalLikelihood,
}
