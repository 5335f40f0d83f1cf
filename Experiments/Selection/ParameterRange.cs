namespace GpuNngp.Experiments.Selection;

/// <summary>The interval one hyperparameter may take while the log marginal likelihood is maximised; a point range holds it fixed.</summary>
/// <param name="Minimum">The smallest value, ≥ 0 (&gt; 0 for σw² and the noise, which are optimised on a log scale).</param>
/// <param name="Maximum">The largest value, ≥ <paramref name="Minimum"/>.</param>
public readonly record struct ParameterRange(double Minimum, double Maximum)
{
    /// <summary>True when the range is one value: the parameter is not optimised.</summary>
    public bool IsFixed => Minimum == Maximum;

    /// <summary>The range of a list of values (a grid axis): from its smallest to its largest.</summary>
    public static ParameterRange Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new ParameterRange(values.Min(), values.Max());
    }
}
