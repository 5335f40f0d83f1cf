using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// A pointwise activation on the record: K̃ = F_φ(K, K(x, x), K(x′, x′)) per entry, from the
/// record's diagonals, and with the NTK Θ̃ = Ḟ_φ(K)·Θ; the diagonals become F_φ(q, q, q) and
/// Ḟ_φ(q, q, q)·Θ(x, x). F and Ḟ are <see cref="DualActivation"/>'s, the closed form or quadrature,
/// exactly as the fused recursion evaluates them.
/// </summary>
internal sealed class ActivationOperation(ActivationLayer layer) : ILayerOperation
{
    private static readonly DenseVariances Unit = new(1, 0);

    public ActivationLayer Layer { get; } = layer ?? throw new ArgumentNullException(nameof(layer));

    public string Description => Layer.Name;

    public int Depth => 1;

    public bool UsesQuadrature => !Layer.Activation.HasClosedForm;

    public bool HasCustomActivation => Layer.CustomValue is not null;

    public KernelRecord Apply(KernelRecord input, QuadratureRule quadrature)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(quadrature);
        input.RequireFlat(Description);

        // The dual activation reads φ and the rule through a network view: one hidden layer, this one
        // (its dense part is never applied here).
        var view = new HostNetworkView(Unit, [new HiddenLayer(Layer.Activation, Unit)], quadrature, [Layer.CustomValue], [Layer.CustomDerivative]);
        bool ntk = input.TracksNtk;
        var (rowVariance, rowNtk) = MapDiagonal(view, input.RowVariance, ntk ? input.RowNtkDiagonal : default, ntk);
        var (columnVariance, columnNtk) = input.IsSymmetric
            ? (rowVariance, rowNtk)
            : MapDiagonal(view, input.ColumnVariance, ntk ? input.ColumnNtkDiagonal : default, ntk);

        ReadOnlyMemory<double> k = input.Nngp, theta = ntk ? input.Ntk : default;
        ReadOnlyMemory<double> rowQ = input.RowVariance, columnQ = input.ColumnVariance;
        var nngp = new double[k.Length];
        double[]? nextTheta = ntk ? new double[k.Length] : null;
        HostEntryLoop.ForEach(input, (row, column, index) =>
        {
            DualMoments moments = DualActivation.Evaluate(view, Layer.Activation, 0, k.Span[(int)index], rowQ.Span[row], columnQ.Span[column], ntk);
            nngp[index] = moments.F;
            if (nextTheta is not null)
            {
                nextTheta[index] = moments.FDot * theta.Span[(int)index];
            }
        }, nngp, nextTheta);
        return input.Derive(nngp, nextTheta, rowVariance, columnVariance, rowNtk, columnNtk);
    }

    /// <summary>Each point's F_φ(q, q, q) and, with the NTK, Ḟ_φ(q, q, q)·Θ(x, x).</summary>
    private (double[] Variance, double[]? NtkDiagonal) MapDiagonal(
        HostNetworkView view, ReadOnlyMemory<double> variance, ReadOnlyMemory<double> ntkDiagonal, bool ntk)
    {
        var next = new double[variance.Length];
        double[]? nextNtk = ntk ? new double[variance.Length] : null;
        for (int i = 0; i < next.Length; i++)
        {
            double q = variance.Span[i];
            DualMoments moments = DualActivation.Evaluate(view, Layer.Activation, 0, q, q, q, ntk);
            next[i] = moments.F;
            if (nextNtk is not null)
            {
                nextNtk[i] = moments.FDot * ntkDiagonal.Span[i];
            }
        }

        return (next, nextNtk);
    }

    public override string ToString() => Description;
}
