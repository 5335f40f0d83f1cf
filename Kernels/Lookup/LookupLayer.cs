using System.Runtime.InteropServices;

namespace GpuNngp.Kernels.Lookup;

/// <summary>
/// Where one hidden layer's table lies in the coefficient array and what it covers. Plain data
/// (blittable, no managed references), so an array of these can be copied to the device as is.
/// A layer with <see cref="Cells"/> = 0 has no table: the recursion evaluates it directly.
/// </summary>
/// <param name="Cells">Cells of the table in θ = arccos c over [0, π]; 0 for an untabulated layer.</param>
/// <param name="Offset">Index of the layer's first coefficient (8 per cell: 4 for F, then 4 for Ḟ).</param>
/// <param name="CellsPerRadian">Cells / π: θ·CellsPerRadian is the position in cells.</param>
/// <param name="Variance">The variance q_l the table was computed at (k11 = k22 = q_l).</param>
/// <param name="VarianceTolerance">
/// The table answers for (k11, k22) only when both lie within this absolute distance of
/// <see cref="Variance"/>; otherwise the recursion falls back to quadrature.
/// </param>
/// <param name="HasDerivative">1 when Ḟ is tabulated too (the NTK can use the table), else 0.</param>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct LookupLayer(
    int Cells,
    long Offset,
    double CellsPerRadian,
    double Variance,
    double VarianceTolerance,
    int HasDerivative)
{
    /// <summary>Coefficients stored per cell: the cubic in the local coordinate for F, then for Ḟ.</summary>
    public const int CoefficientsPerCell = 8;

    /// <summary>A layer without a table.</summary>
    public static LookupLayer None => default;
}
