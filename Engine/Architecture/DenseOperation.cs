using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// A dense layer on the record (NTK parameterisation, DESIGN.md §1): K′ = σb² + σw²·K and
/// Θ′ = K′ + σw²·Θ, entrywise and on both diagonals. On the input record (Θ = 0) this gives Θ¹ = K¹;
/// after an activation (Θ̃ = Ḟ·Θ) it is <see cref="LayerRecursion"/>'s Θ ← K_new + σw²·Ḟ·Θ.
/// </summary>
internal sealed class DenseOperation(DenseVariances variances) : ILayerOperation
{
    public DenseVariances Variances { get; } = variances;

    public string Description => FormattableString.Invariant($"Dense({Variances.WeightVariance:G6}, {Variances.BiasVariance:G6})");

    public int Depth => 0;

    public bool UsesQuadrature => false;

    public bool HasCustomActivation => false;

    public KernelRecord Apply(KernelRecord input, QuadratureRule quadrature)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.RequireFlat(Description);
        var (nngp, ntk) = Map(input.Nngp.Span, input.TracksNtk ? input.Ntk.Span : default, input.TracksNtk);
        var (rowVariance, rowNtk) = Map(input.RowVariance.Span, input.TracksNtk ? input.RowNtkDiagonal.Span : default, input.TracksNtk);
        var (columnVariance, columnNtk) = input.IsSymmetric
            ? (rowVariance, rowNtk)
            : Map(input.ColumnVariance.Span, input.TracksNtk ? input.ColumnNtkDiagonal.Span : default, input.TracksNtk);
        return input.Derive(nngp, ntk, rowVariance, columnVariance, rowNtk, columnNtk);
    }

    /// <summary>K′ = σb² + σw²·K and, with the NTK, Θ′ = K′ + σw²·Θ for every value.</summary>
    private (double[] Nngp, double[]? Ntk) Map(ReadOnlySpan<double> k, ReadOnlySpan<double> theta, bool withNtk)
    {
        var next = new double[k.Length];
        double[]? nextTheta = withNtk ? new double[k.Length] : null;
        for (int i = 0; i < k.Length; i++)
        {
            next[i] = Variances.Apply(k[i]);
            if (nextTheta is not null)
            {
                nextTheta[i] = next[i] + Variances.WeightVariance * theta[i];
            }
        }

        return (next, nextTheta);
    }

    public override string ToString() => Description;
}
