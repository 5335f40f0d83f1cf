using GpuNngp.Solvers;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// What flows through a network's layer operations, as Neural Tangents' <c>Kernel</c> does: the NNGP
/// between a row point set and a column point set (rows × columns, column-major), the NTK when it is
/// tracked, and the per-point diagonals of both sets — K(x, x) and, with the NTK, Θ(x, x) — which an
/// activation reads for every entry. The host's reference form: managed arrays, never changed once
/// built (an operation returns a new record).
/// </summary>
/// <remarks>
/// Symmetric records (the row set is the column set, e.g. K_DD) hold the whole square and one shared
/// diagonal. <see cref="Shape"/> is null for flat inputs; an image-shaped record (DESIGN.md §7)
/// carries a P × P block per pair and each point's own P × P block K_ij(x, x) (pooling mixes pixels,
/// so the pixel variances after it need the whole block) in the same arrays — the "variances" and
/// "NTK diagonals" are then these blocks — so every length here is scaled by
/// <see cref="PairBlockLength"/> or <see cref="PointBlockLength"/>. Within a block, entry (i, j) is at
/// i + j·P (i the row point's pixel); <see cref="ImageInput"/> states the pixel order. The
/// operations of a dense network require a flat record.
/// </remarks>
internal sealed class KernelRecord
{
    private readonly double[] _nngp;
    private readonly double[]? _ntk;
    private readonly double[] _rowVariance;
    private readonly double[] _columnVariance;
    private readonly double[]? _rowNtkDiagonal;
    private readonly double[]? _columnNtkDiagonal;

    private KernelRecord(
        int rows,
        int columns,
        bool symmetric,
        double[] nngp,
        double[]? ntk,
        double[] rowVariance,
        double[] columnVariance,
        double[]? rowNtkDiagonal,
        double[]? columnNtkDiagonal,
        SpatialShape? shape)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentNullException.ThrowIfNull(nngp);
        ArgumentNullException.ThrowIfNull(rowVariance);
        ArgumentNullException.ThrowIfNull(columnVariance);
        if (symmetric && rows != columns)
        {
            throw new ArgumentException($"a symmetric record is square; got {rows}×{columns}");
        }

        if (symmetric && (!ReferenceEquals(rowVariance, columnVariance) || !ReferenceEquals(rowNtkDiagonal, columnNtkDiagonal)))
        {
            throw new ArgumentException("a symmetric record has one diagonal for both sides");
        }

        if ((ntk is null) != (rowNtkDiagonal is null) || (ntk is null) != (columnNtkDiagonal is null))
        {
            throw new ArgumentException("the NTK matrix and its diagonals come together or not at all");
        }

        Rows = rows;
        Columns = columns;
        IsSymmetric = symmetric;
        Shape = shape;
        long pairs = ColumnMajor.Count(rows, columns) * PairBlockLength;
        CheckLength(nngp, pairs, "NNGP matrix");
        CheckLength(ntk, pairs, "NTK matrix");
        CheckLength(rowVariance, (long)rows * PointBlockLength, "row variances");
        CheckLength(columnVariance, (long)columns * PointBlockLength, "column variances");
        CheckLength(rowNtkDiagonal, (long)rows * PointBlockLength, "row NTK diagonal");
        CheckLength(columnNtkDiagonal, (long)columns * PointBlockLength, "column NTK diagonal");
        _nngp = nngp;
        _ntk = ntk;
        _rowVariance = rowVariance;
        _columnVariance = columnVariance;
        _rowNtkDiagonal = rowNtkDiagonal;
        _columnNtkDiagonal = columnNtkDiagonal;
    }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>True when the row set is the column set: the matrices are symmetric, one diagonal serves both sides.</summary>
    public bool IsSymmetric { get; }

    /// <summary>Null for flat inputs; the pixel grid of an image-shaped kernel.</summary>
    public SpatialShape? Shape { get; }

    /// <summary>Values per (row, column) pair: 1 flat, P·P with a shape.</summary>
    public int PairBlockLength => Shape is { } s ? s.Pixels * s.Pixels : 1;

    /// <summary>Values per point in a diagonal: 1 flat, P·P (the point's own pixel covariance) with a shape.</summary>
    public int PointBlockLength => PairBlockLength;

    /// <summary>True when the NTK is carried along with the NNGP.</summary>
    public bool TracksNtk => _ntk is not null;

    /// <summary>K(x, x′), rows × columns, column-major.</summary>
    public ReadOnlyMemory<double> Nngp => _nngp;

    /// <summary>Θ(x, x′), rows × columns, column-major; only when <see cref="TracksNtk"/>.</summary>
    public ReadOnlyMemory<double> Ntk => _ntk ?? throw NoNtk();

    /// <summary>K(x, x) of each row point.</summary>
    public ReadOnlyMemory<double> RowVariance => _rowVariance;

    /// <summary>K(x′, x′) of each column point (the row variances when symmetric).</summary>
    public ReadOnlyMemory<double> ColumnVariance => _columnVariance;

    /// <summary>Θ(x, x) of each row point; only when <see cref="TracksNtk"/>.</summary>
    public ReadOnlyMemory<double> RowNtkDiagonal => _rowNtkDiagonal ?? throw NoNtk();

    /// <summary>Θ(x′, x′) of each column point; only when <see cref="TracksNtk"/>.</summary>
    public ReadOnlyMemory<double> ColumnNtkDiagonal => _columnNtkDiagonal ?? throw NoNtk();

    /// <summary>K(x_row, x_column) of a flat record.</summary>
    public double NngpAt(int row, int column) => _nngp[ColumnMajor.Index(row, column, Rows)];

    /// <summary>Θ(x_row, x_column) of a flat record.</summary>
    public double NtkAt(int row, int column) => (_ntk ?? throw NoNtk())[ColumnMajor.Index(row, column, Rows)];

    /// <summary>
    /// A record over one point set (n × n). Takes ownership of the arrays (no copy): they must not change.
    /// </summary>
    public static KernelRecord Symmetric(
        int n, double[] nngp, double[] variance, double[]? ntk = null, double[]? ntkDiagonal = null, SpatialShape? shape = null) =>
        new(n, n, symmetric: true, nngp, ntk, variance, variance, ntkDiagonal, ntkDiagonal, shape);

    /// <summary>
    /// A record between two point sets (rows × columns). Takes ownership of the arrays (no copy): they must not change.
    /// </summary>
    public static KernelRecord Rectangular(
        int rows,
        int columns,
        double[] nngp,
        double[] rowVariance,
        double[] columnVariance,
        double[]? ntk = null,
        double[]? rowNtkDiagonal = null,
        double[]? columnNtkDiagonal = null,
        SpatialShape? shape = null) =>
        new(rows, columns, symmetric: false, nngp, ntk, rowVariance, columnVariance, rowNtkDiagonal, columnNtkDiagonal, shape);

    /// <summary>
    /// The input record of flat points given as the input Gram K⁰ = x·x′/d and the variances
    /// q⁰ = x·x/d: Θ⁰ = 0 where the NTK is tracked (the first dense layer makes Θ¹ = K¹).
    /// </summary>
    public static KernelRecord Input(
        int rows, int columns, bool symmetric, double[] gram, double[] rowVariance, double[] columnVariance, bool withNtk)
    {
        double[]? rowNtkDiagonal = withNtk ? new double[rows] : null;
        double[]? columnNtkDiagonal = withNtk ? (symmetric ? rowNtkDiagonal : new double[columns]) : null;
        return new KernelRecord(
            rows,
            columns,
            symmetric,
            gram,
            withNtk ? new double[ColumnMajor.Count(rows, columns)] : null,
            rowVariance,
            columnVariance,
            rowNtkDiagonal,
            columnNtkDiagonal,
            shape: null);
    }

    /// <summary>
    /// The input record of <paramref name="rows"/> points against <paramref name="columns"/> points
    /// (column-major, d features each), by a direct dot product: the host's reference input Gram.
    /// A null <paramref name="columnPoints"/> means the row points themselves (a symmetric record).
    /// </summary>
    public static KernelRecord FromPoints(double[] rowPoints, int rows, double[]? columnPoints, int columns, int dimension, bool withNtk)
    {
        ArgumentNullException.ThrowIfNull(rowPoints);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        bool symmetric = columnPoints is null;
        double[] other = columnPoints ?? rowPoints;
        if (symmetric && columns != rows)
        {
            throw new ArgumentException($"the row points against themselves give a square record; got {rows}×{columns}");
        }

        CheckLength(rowPoints, (long)rows * dimension, "row points");
        CheckLength(other, (long)columns * dimension, "column points");
        var gram = new double[ColumnMajor.Count(rows, columns)];
        for (int column = 0; column < columns; column++)
        {
            for (int row = 0; row < rows; row++)
            {
                gram[ColumnMajor.Index(row, column, rows)] = Dot(rowPoints, rows, row, other, columns, column, dimension);
            }
        }

        double[] rowVariance = symmetric ? Diagonal(gram, rows) : SelfDots(rowPoints, rows, dimension);
        double[] columnVariance = symmetric ? rowVariance : SelfDots(other, columns, dimension);
        return Input(rows, columns, symmetric, gram, rowVariance, columnVariance, withNtk);
    }

    /// <summary>A record of the same point sets and shape with new contents (an operation's result).</summary>
    internal KernelRecord Derive(
        double[] nngp, double[]? ntk, double[] rowVariance, double[] columnVariance, double[]? rowNtkDiagonal, double[]? columnNtkDiagonal) =>
        new(Rows, Columns, IsSymmetric, nngp, ntk, rowVariance, columnVariance, rowNtkDiagonal, columnNtkDiagonal, Shape);

    /// <summary>The operations of a dense network read one value per pair: refuse an image-shaped record.</summary>
    internal void RequireFlat(string operation)
    {
        if (Shape is { } shape)
        {
            throw new InvalidOperationException($"{operation} needs a flat kernel; this one is {shape} per point (flatten or pool it first)");
        }
    }

    private static double Dot(double[] a, int aRows, int aRow, double[] b, int bRows, int bRow, int dimension)
    {
        double sum = 0;
        for (int k = 0; k < dimension; k++)
        {
            sum += a[ColumnMajor.Index(aRow, k, aRows)] * b[ColumnMajor.Index(bRow, k, bRows)];
        }

        return sum / dimension;
    }

    private static double[] SelfDots(double[] points, int count, int dimension)
    {
        var result = new double[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = Dot(points, count, i, points, count, i, dimension);
        }

        return result;
    }

    private static double[] Diagonal(double[] square, int n)
    {
        var result = new double[n];
        for (int i = 0; i < n; i++)
        {
            result[i] = square[ColumnMajor.Index(i, i, n)];
        }

        return result;
    }

    private static void CheckLength(double[]? values, long expected, string what)
    {
        if (values is not null && values.LongLength != expected)
        {
            throw new ArgumentException($"the {what} need {expected} values; got {values.LongLength}");
        }
    }

    private static InvalidOperationException NoNtk() => new("this record does not track the NTK");
}
