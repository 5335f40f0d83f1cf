namespace GpuNngp.Engine.Spatial;

/// <summary>
/// The offset slices a segment computes: every (row offset, column offset) of the two per-axis
/// lists, the diagonal slice (0, 0) first when present (a point's own run reads its pixel variances
/// from it before the other slices need them).
/// </summary>
internal sealed class SliceOffsets
{
    public SliceOffsets(IEnumerable<int> rows, IEnumerable<int> columns)
    {
        Rows = Ordered(rows);
        Columns = Ordered(columns);
        IsSymmetric = Rows.All(r => Rows.Contains(-r)) && Columns.All(c => Columns.Contains(-c));
    }

    public int[] Rows { get; }

    public int[] Columns { get; }

    public int Count => Rows.Length * Columns.Length;

    /// <summary>True when (−r, −c) is a slice wherever (r, c) is (a point's own run may then compute half and mirror the rest).</summary>
    public bool IsSymmetric { get; }

    /// <summary>The slices in order: (0, 0) first when present.</summary>
    public IEnumerable<(int Row, int Column)> Slices() => from r in Rows from c in Columns select (r, c);

    private static int[] Ordered(IEnumerable<int> offsets) => [.. offsets.Distinct().OrderBy(o => o == 0 ? 0 : 1).ThenBy(o => o)];

    public override string ToString() => $"{Rows.Length}×{Columns.Length} slices";
}
