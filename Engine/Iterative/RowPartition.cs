using System.Globalization;

namespace GpuNngp.Engine.Iterative;

/// <summary>
/// Which training points' rows of A = K_DD + σε²I this process computes, and how the rows of the
/// others reach it: the one place PCG learns that it may run on several processes. Part r of P owns
/// the contiguous points [⌊r·N/P⌋, ⌊(r+1)·N/P⌋); a product A·V is each part's rows (by symmetry,
/// K(D, J)ᵀ·V for its points J) followed by <see cref="Gather"/>, an exact concatenation, so that
/// every part then holds the same bits and the iteration runs in lockstep with no other exchange.
/// This base class is one process owning every row (nothing to exchange); the MPI ranks' is
/// <c>Distributed.MpiRowPartition</c>.
/// </summary>
internal class RowPartition
{
    public RowPartition(int n, int parts, int part)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(part);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(part, parts);
        if (n < parts)
        {
            throw new NngpInputException(string.Create(CultureInfo.InvariantCulture,
                $"FitOptions.Solver = Pcg on {parts} ranks needs at least one training point per rank; got N = {n}: use fewer ranks"), "solver");
        }

        N = n;
        Parts = parts;
        Part = part;
        (Start, Count) = Range(part);
    }

    /// <summary>One process owning all <paramref name="n"/> rows.</summary>
    public static RowPartition Whole(int n) => new(n, 1, 0);

    /// <summary>N, the rows of A.</summary>
    public int N { get; }

    /// <summary>P, the parts (ranks).</summary>
    public int Parts { get; }

    /// <summary>This process's part (its rank).</summary>
    public int Part { get; }

    /// <summary>The first point this part owns.</summary>
    public int Start { get; }

    /// <summary>The points this part owns.</summary>
    public int Count { get; }

    /// <summary>Part 0: the one that reports progress.</summary>
    public bool IsLead => Part == 0;

    /// <summary>The first point of part <paramref name="part"/> and its count: ⌊r·N/P⌋ to ⌊(r+1)·N/P⌋.</summary>
    public (int Start, int Count) Range(int part)
    {
        int start = (int)((long)part * N / Parts), end = (int)((long)(part + 1) * N / Parts);
        return (start, end - start);
    }

    /// <summary>The same parts over <paramref name="n"/> other rows (≥ <see cref="Parts"/>): the test points a prediction shares out.</summary>
    public virtual RowPartition Over(int n) => new(n, Parts, Part);

    /// <summary>
    /// Fills the rows of <paramref name="result"/> (N × <paramref name="columns"/>, column-major) that
    /// other parts own with theirs; this part's own rows must be there already (collective).
    /// </summary>
    public virtual void Gather(double[] result, int columns)
    {
    }

    /// <summary>Part 0's <paramref name="values"/> on every part (collective): what decides the iteration is then one number everywhere.</summary>
    public virtual void Broadcast(Span<double> values)
    {
    }

    /// <summary>Part 0's array on every part, whatever its length on the others (collective).</summary>
    public double[] FromLead(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Parts == 1)
        {
            return values;
        }

        Span<double> length = [values.Length];
        Broadcast(length);
        double[] shared = values.Length == (int)length[0] ? values : new double[(int)length[0]];
        Broadcast(shared);
        return shared;
    }

    /// <summary>Refuses, on every part alike, <paramref name="values"/> that are not the same on every part (collective).</summary>
    public virtual void CheckSame(ReadOnlySpan<double> values, string what)
    {
    }
}
