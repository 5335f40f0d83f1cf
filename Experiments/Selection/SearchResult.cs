namespace GpuNngp.Experiments.Selection;

/// <summary>
/// The scores of one grid point: the log marginal likelihood of the training part and the accuracy
/// on the validation split. A point whose kernel could not be factorised even with the largest jitter
/// or whose kernel or scores are not finite has NaN scores and the reason in <see cref="Failure"/>.
/// </summary>
public sealed record SearchResult(SearchPoint Point, double LogMarginalLikelihood, double ValidationAccuracy, double Jitter, string? Failure = null)
{
    public bool Succeeded => Failure is null;
}
