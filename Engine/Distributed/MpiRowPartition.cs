using GpuNngp.Engine.Iterative;

namespace GpuNngp.Engine.Distributed;

/// <summary>
/// PCG's rows over the ranks of an MPI job: rank r owns the points <see cref="RowPartition.Range"/>
/// gives it, and a product's rows reach every rank by one MPI_Allgatherv of each rank's rows packed
/// column by column (rank-major, so that the pieces are contiguous): an exact copy, nothing summed.
/// Every collective first agrees that no rank has failed (<see cref="MpiSession"/>).
/// </summary>
internal sealed class MpiRowPartition : RowPartition
{
    private readonly MpiSession _session;
    private double[] _packed = [];

    public MpiRowPartition(MpiSession session, int n)
        : base(n, session.Size, session.Rank) => _session = session;

    public override RowPartition Over(int n) => new MpiRowPartition(_session, n);

    public override void Gather(double[] result, int columns)
    {
        ArgumentNullException.ThrowIfNull(result);
        long size = (long)N * columns;
        if (_packed.Length < size)
        {
            _packed = new double[size];
        }

        var counts = new int[Parts];
        var offsets = new int[Parts];
        for (int part = 0; part < Parts; part++)
        {
            var (start, count) = Range(part);
            offsets[part] = checked(start * columns);
            counts[part] = checked(count * columns);
        }

        Pack(result, columns, Start, Count, unpack: false);
        _session.GatherInPlace(_packed.AsSpan(0, (int)size), counts, offsets);
        for (int part = 0; part < Parts; part++)
        {
            if (part != Part)
            {
                var (start, count) = Range(part);
                Pack(result, columns, start, count, unpack: true);
            }
        }
    }

    /// <summary>Rows [start, start + count) of every column of <paramref name="result"/> to (or from) their packed piece, count × columns at start·columns.</summary>
    private void Pack(double[] result, int columns, int start, int count, bool unpack)
    {
        long piece = (long)start * columns;
        for (int c = 0; c < columns; c++)
        {
            Span<double> rows = result.AsSpan((int)(((long)c * N) + start), count);
            Span<double> packed = _packed.AsSpan((int)(piece + ((long)c * count)), count);
            if (unpack)
            {
                packed.CopyTo(rows);
            }
            else
            {
                rows.CopyTo(packed);
            }
        }
    }

    public override void Broadcast(Span<double> values) => _session.BroadcastInPlace(values);

    public override void CheckSame(ReadOnlySpan<double> values, string what) => _session.CheckSame(values, what);
}
