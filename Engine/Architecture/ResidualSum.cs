namespace GpuNngp.Engine.Architecture;

/// <summary>
/// The fan-in of a residual block (DESIGN.md §7, <c>stax.FanInSum</c>): the branches' records summed,
/// K = Σ_b K_b and Θ = Σ_b Θ_b, pairs and points alike. An identity branch is the block's input
/// record itself. The branches must describe the same point sets, pixel grid and NTK tracking.
/// </summary>
internal static class ResidualSum
{
    public static KernelRecord Of(IReadOnlyList<KernelRecord> branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        if (branches.Count == 0)
        {
            throw new NngpInputException("residual: a sum needs at least one branch");
        }

        KernelRecord first = branches[0];
        for (int b = 1; b < branches.Count; b++)
        {
            KernelRecord other = branches[b];
            if (other.Rows != first.Rows || other.Columns != first.Columns || other.IsSymmetric != first.IsSymmetric || other.TracksNtk != first.TracksNtk)
            {
                throw new ArgumentException("the branches of a residual block run on the same point sets");
            }

            if (other.Shape != first.Shape)
            {
                throw new NngpInputException(
                    $"residual: branch {b + 1} gives {Describe(other.Shape)} but branch 1 gives {Describe(first.Shape)}; the branches must keep one shape");
            }
        }

        bool ntk = first.TracksNtk;
        double[] nngp = Sum(branches, r => r.Nngp);
        double[]? theta = ntk ? Sum(branches, r => r.Ntk) : null;
        double[] rowSelf = Sum(branches, r => r.RowVariance);
        double[]? rowNtk = ntk ? Sum(branches, r => r.RowNtkDiagonal) : null;
        if (first.IsSymmetric)
        {
            return KernelRecord.Symmetric(first.Rows, nngp, rowSelf, theta, rowNtk, first.Shape);
        }

        return KernelRecord.Rectangular(
            first.Rows,
            first.Columns,
            nngp,
            rowSelf,
            Sum(branches, r => r.ColumnVariance),
            theta,
            rowNtk,
            ntk ? Sum(branches, r => r.ColumnNtkDiagonal) : null,
            first.Shape);
    }

    private static double[] Sum(IReadOnlyList<KernelRecord> branches, Func<KernelRecord, ReadOnlyMemory<double>> part)
    {
        double[] sum = part(branches[0]).ToArray();
        for (int b = 1; b < branches.Count; b++)
        {
            ReadOnlySpan<double> values = part(branches[b]).Span;
            for (int e = 0; e < sum.Length; e++)
            {
                sum[e] += values[e];
            }
        }

        return sum;
    }

    private static string Describe(SpatialShape? shape) => shape is { } s ? $"{s} images" : "a flat kernel";
}
