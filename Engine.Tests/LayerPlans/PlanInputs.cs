using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Cpu;
using GpuNngp.Kernels;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Tests.LayerPlans;

/// <summary>
/// Inputs for the plan tests and the fused map they are checked against: points of different norms
/// (so every entry's diagonals differ and no lookup table could apply), as a square record (one point
/// set) or a rectangular one (a second, disjoint set of columns), and <see cref="HostKernelMap"/> run on
/// the same K⁰ and q⁰ as the production CPU path runs it.
/// </summary>
internal static class PlanInputs
{
    public const int Dimension = 5;
    public const int RowCount = 9;
    public const int ColumnCount = 6;

    /// <summary>Column-major points with norms ‖x‖²/d spread over about 0.3 … 2.5.</summary>
    public static double[] Points(int count, int seed)
    {
        var random = new Random(seed);
        var points = new double[count * Dimension];
        for (int i = 0; i < count; i++)
        {
            double scale = 0.6 + 0.9 * i / Math.Max(1, count - 1);
            for (int k = 0; k < Dimension; k++)
            {
                points[ColumnMajor.Index(i, k, count)] = scale * Gaussian(random);
            }
        }

        return points;
    }

    /// <summary>Fewer points where every entry of every layer is a quadrature (tens of µs each).</summary>
    public const int QuadratureRowCount = 5;
    public const int QuadratureColumnCount = 4;

    /// <summary>The input record: square (rows against themselves) or rows against a second set.</summary>
    public static KernelRecord Input(bool symmetric, bool withNtk = true, int rows = RowCount, int columns = ColumnCount) =>
        symmetric
            ? KernelRecord.FromPoints(Points(rows, 1), rows, null, rows, Dimension, withNtk)
            : KernelRecord.FromPoints(Points(rows, 1), rows, Points(columns, 2), columns, Dimension, withNtk);

    /// <summary>The input record for the network of <paramref name="activation"/>: the smaller one where it needs quadrature.</summary>
    public static KernelRecord InputFor(string activation, bool symmetric, bool withNtk = true) =>
        activation.Contains("tanh", StringComparison.Ordinal)
            ? Input(symmetric, withNtk, QuadratureRowCount, QuadratureColumnCount)
            : Input(symmetric, withNtk);

    /// <summary>The networks the tests plan, by name; "custom-tanh" is tanh as a user delegate.</summary>
    public static Network Network(string activation, int depth)
    {
        ActivationLayer layer = activation == "custom-tanh"
            ? Nngp.Custom("custom-tanh", Math.Tanh, x => 1 - Math.Tanh(x) * Math.Tanh(x))
            : Nngp.ActivationByName(activation);
        return Nngp.FullyConnected(depth, layer, 1.5, 0.1);
    }

    /// <summary>
    /// The production CPU map on the record's K⁰: the output kernel of <paramref name="kind"/> (for a
    /// square record only its lower triangle is written) and the output diagonals of rows and columns.
    /// </summary>
    public static (double[] Matrix, double[] RowDiagonal, double[] ColumnDiagonal) FusedMap(
        CompiledNetwork network, KernelRecord input, KernelKind kind)
    {
        HostNetworkView view = HostPreparation.View(network, QuadratureRules.DefaultOrder);
        double[] rowQ = input.RowVariance.ToArray(), columnQ = input.ColumnVariance.ToArray();
        var (rowLayers, rowOutput) = HostPreparation.Diagonals(view, rowQ, kind);
        var (columnLayers, columnOutput) = input.IsSymmetric ? (rowLayers, rowOutput) : HostPreparation.Diagonals(view, columnQ, kind);
        double[] matrix = input.Nngp.ToArray();
        var progress = new ProgressCounter(null, Stage.LayerMap, 1);
        if (input.IsSymmetric)
        {
            HostKernelMap.MapLowerTriangle(view, matrix, input.Rows, rowLayers, kind, progress);
        }
        else
        {
            HostKernelMap.MapRectangle(view, matrix, input.Rows, input.Columns, rowLayers, columnLayers, kind, progress);
        }

        return (matrix, rowOutput, columnOutput);
    }

    /// <summary>The entries the fused map writes: all of a rectangle, the lower triangle of a square.</summary>
    public static IEnumerable<(int Row, int Column, long Index)> MappedEntries(KernelRecord record)
    {
        for (int column = 0; column < record.Columns; column++)
        {
            for (int row = record.IsSymmetric ? column : 0; row < record.Rows; row++)
            {
                yield return (row, column, ColumnMajor.Index(row, column, record.Rows));
            }
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
