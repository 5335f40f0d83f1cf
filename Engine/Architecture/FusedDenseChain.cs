using GpuNngp.Kernels;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// A whole Dense/φ chain in one operation: the input dense layer and every hidden layer applied to
/// each entry in registers by <see cref="LayerRecursion"/> — the fast path, which the pipeline runs as
/// the providers' all-layers map (<c>HostKernelMap</c> on the CPU, the device kernels on the GPU) from
/// <see cref="Network"/>. It starts from an input record: Θ = 0, so Θ¹ = K¹ as the recursion assumes.
/// </summary>
internal sealed class FusedDenseChain(CompiledNetwork network) : ILayerOperation
{
    /// <summary>The chain's parameters, as the providers' maps read them.</summary>
    public CompiledNetwork Network { get; } = network ?? throw new ArgumentNullException(nameof(network));

    public string Description => Network.Description;

    public int Depth => Network.Depth;

    public bool UsesQuadrature => Network.UsesQuadrature;

    public bool HasCustomActivation => Network.HasCustomActivation;

    /// <summary>
    /// The reference form of the map: the scalar <see cref="LayerRecursion.Entry{TNetwork, TDiagonal}"/>
    /// per entry and <see cref="LayerRecursion.Diagonal{TNetwork}"/> per point, directly (no lookup
    /// tables), which the CPU's vector lanes equal bit for bit.
    /// </summary>
    public KernelRecord Apply(KernelRecord input, QuadratureRule quadrature)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(quadrature);
        input.RequireFlat(Description);
        bool ntk = input.TracksNtk;
        if (ntk && !(IsZero(input.Ntk.Span) && IsZero(input.RowNtkDiagonal.Span) && IsZero(input.ColumnNtkDiagonal.Span)))
        {
            throw new InvalidOperationException("the fused dense chain starts from the input kernel, whose NTK is zero; this record's is not");
        }

        HostNetworkView view = Network.HostView(quadrature);
        var rows = Diagonals(view, input.RowVariance.Span);
        var columns = input.IsSymmetric ? rows : Diagonals(view, input.ColumnVariance.Span);
        var rowDiagonal = new HostDiagonalView(rows.LayerVariances, input.Rows);
        var columnDiagonal = new HostDiagonalView(columns.LayerVariances, input.Columns);

        ReadOnlyMemory<double> gram = input.Nngp;
        var nngp = new double[gram.Length];
        double[]? theta = ntk ? new double[gram.Length] : null;
        HostEntryLoop.ForEach(input, (row, column, index) =>
        {
            double k0 = gram.Span[(int)index];
            nngp[index] = LayerRecursion.Entry(view, k0, rowDiagonal, row, columnDiagonal, column, KernelKind.Nngp);
            if (theta is not null)
            {
                theta[index] = LayerRecursion.Entry(view, k0, rowDiagonal, row, columnDiagonal, column, KernelKind.Ntk);
            }
        }, nngp, theta);
        return input.Derive(
            nngp, theta, rows.Nngp, columns.Nngp, ntk ? rows.Ntk : null, ntk ? columns.Ntk : null);
    }

    /// <summary>Each point's chain: the layer-major q_l and the output K(x, x), Θ(x, x).</summary>
    private static (double[] LayerVariances, double[] Nngp, double[] Ntk) Diagonals(HostNetworkView view, ReadOnlySpan<double> inputVariance)
    {
        int count = inputVariance.Length, depth = view.Depth;
        var layerMajor = new double[(long)depth * count];
        var nngp = new double[count];
        var ntk = new double[count];
        var chain = new double[depth];
        for (int point = 0; point < count; point++)
        {
            (nngp[point], ntk[point]) = LayerRecursion.Diagonal(view, inputVariance[point], chain);
            for (int layer = 0; layer < depth; layer++)
            {
                layerMajor[(long)layer * count + point] = chain[layer];
            }
        }

        return (layerMajor, nngp, ntk);
    }

    private static bool IsZero(ReadOnlySpan<double> values)
    {
        foreach (double value in values)
        {
            if (value != 0)
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => Description;
}
