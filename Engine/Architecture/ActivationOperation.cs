using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// A pointwise activation on the record: K̃ = F_φ(K, K(x, x), K(x′, x′)) per entry, from the
/// record's diagonals, and with the NTK Θ̃ = Ḟ_φ(K)·Θ; the diagonals become F_φ(q, q, q) and
/// Ḟ_φ(q, q, q)·Θ(x, x). F and Ḟ are <see cref="DualActivation"/>'s, the closed form or quadrature,
/// exactly as the fused recursion evaluates them. On an image-shaped record (DESIGN.md §7) the same
/// map acts per pixel pair: K̃_ij(x, x′) = F_φ(K_ij(x, x′), K_ii(x, x), K_jj(x′, x′)), the diagonals
/// read from each point's own P × P block, which is mapped alike.
/// </summary>
internal sealed class ActivationOperation(ActivationLayer layer) : ILayerOperation
{
    private static readonly DenseVariances Unit = new(1, 0);

    public ActivationLayer Layer { get; } = layer ?? throw new ArgumentNullException(nameof(layer));

    public string Description => Layer.Name;

    public int Depth => 1;

    public bool UsesQuadrature => !Layer.Activation.HasClosedForm;

    public bool HasCustomActivation => Layer.CustomValue is not null;

    /// <summary>
    /// The network view the dual activation reads φ and the rule through: one hidden layer, this
    /// activation (its dense part is never applied); the spatial kernel's activations use it too.
    /// </summary>
    public static HostNetworkView View(ActivationLayer layer, QuadratureRule quadrature)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return new HostNetworkView(Unit, [new HiddenLayer(layer.Activation, Unit)], quadrature, [layer.CustomValue], [layer.CustomDerivative]);
    }

    public KernelRecord Apply(KernelRecord input, QuadratureRule quadrature)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(quadrature);

        HostNetworkView view = View(Layer, quadrature);
        if (input.Shape is { } shape)
        {
            return ApplySpatial(view, input, shape.Pixels);
        }

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

    /// <summary>
    /// Every pixel pair of every block: a pair's block reads the pixel variances of its row point's and
    /// its column point's own blocks, a point's own block its own. All pairs are computed, both
    /// triangles of a square record (its blocks (a, b) and (b, a) are transposes, not copies).
    /// </summary>
    private KernelRecord ApplySpatial(HostNetworkView view, KernelRecord input, int pixels)
    {
        bool ntk = input.TracksNtk;
        int block = pixels * pixels;
        ReadOnlyMemory<double> rowSelf = input.RowVariance, columnSelf = input.ColumnVariance;
        var (nngp, theta) = MapBlocks(view, input.Nngp, ntk ? input.Ntk : default, (int)(input.Nngp.Length / block), pixels, ntk,
            pair => (rowSelf.Slice(pair % input.Rows * block, block), columnSelf.Slice(pair / input.Rows * block, block)));
        var (rowNext, rowNtk) = MapBlocks(view, rowSelf, ntk ? input.RowNtkDiagonal : default, input.Rows, pixels, ntk,
            point => (rowSelf.Slice(point * block, block), rowSelf.Slice(point * block, block)));
        if (input.IsSymmetric)
        {
            return input.Derive(nngp, theta, rowNext, rowNext, rowNtk, rowNtk);
        }

        var (columnNext, columnNtk) = MapBlocks(view, columnSelf, ntk ? input.ColumnNtkDiagonal : default, input.Columns, pixels, ntk,
            point => (columnSelf.Slice(point * block, block), columnSelf.Slice(point * block, block)));
        return input.Derive(nngp, theta, rowNext, columnNext, rowNtk, columnNtk);
    }

    /// <summary>F_φ(K_ij, K_ii, K_jj) and Ḟ_φ·Θ_ij for each block; <paramref name="selfBlocks"/> gives a block's row-side and column-side own blocks.</summary>
    private (double[] Nngp, double[]? Ntk) MapBlocks(
        HostNetworkView view,
        ReadOnlyMemory<double> k,
        ReadOnlyMemory<double> theta,
        int blocks,
        int pixels,
        bool ntk,
        Func<int, (ReadOnlyMemory<double> Row, ReadOnlyMemory<double> Column)> selfBlocks)
    {
        int block = pixels * pixels;
        var next = new double[k.Length];
        double[]? nextTheta = ntk ? new double[k.Length] : null;
        Parallel.For(0, blocks, b =>
        {
            var (rowSelf, columnSelf) = selfBlocks(b);
            ReadOnlySpan<double> values = k.Span.Slice(b * block, block), row = rowSelf.Span, column = columnSelf.Span;
            for (int j = 0; j < pixels; j++)
            {
                for (int i = 0; i < pixels; i++)
                {
                    int e = i + j * pixels;
                    DualMoments moments = DualActivation.Evaluate(view, Layer.Activation, 0, values[e], row[i + i * pixels], column[j + j * pixels], ntk);
                    next[b * block + e] = moments.F;
                    if (nextTheta is not null)
                    {
                        nextTheta[b * block + e] = moments.FDot * theta.Span[b * block + e];
                    }
                }
            }
        });
        return (next, nextTheta);
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
