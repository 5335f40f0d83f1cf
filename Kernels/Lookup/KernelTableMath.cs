using System.Runtime.CompilerServices;

namespace GpuNngp.Kernels.Lookup;

/// <summary>
/// Evaluation of a tabulated dual kernel: allocation-free, no managed references, the same code on
/// the CPU and inside ILGPU kernels.
/// </summary>
/// <remarks>
/// The table's variable is the angle θ = arccos c, not c itself: F(cos θ) is smooth and even at
/// θ = 0 and θ = π, while F(c) steepens near c = ±1 as the variance grows (φ(√q·z) tends to a step,
/// whose dual kernel (2/π)·arcsin c has an infinite slope at c = 1 but is linear in θ). Each cell
/// holds the cubic Hermite interpolant of F with its exact slope in θ — for the exact integral
/// dF/dθ = −sin θ·√(k11k22)·Ḟ (Price's theorem: ∂F/∂k12 = Ḟ), which the builder takes from the
/// accurate rule's Ḟ — and a cubic Hermite interpolant
/// of Ḟ with fourth-order finite-difference slopes. Cell i covers θ ∈ [iπ/n, (i+1)π/n]; with x ∈ [0, 1] its local coordinate,
/// F = a0 + x(a1 + x(a2 + x·a3)).
/// </remarks>
internal static class KernelTableMath
{
    /// <summary>True when layer <paramref name="table"/> answers for an entry with these variances.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Covers(LookupLayer table, double k11, double k22, bool withDerivative)
    {
        if (table.Cells <= 0 || (withDerivative && table.HasDerivative == 0))
        {
            return false;
        }

        double d11 = k11 - table.Variance;
        double d22 = k22 - table.Variance;
        double tolerance = table.VarianceTolerance;
        return d11 <= tolerance && d11 >= -tolerance && d22 <= tolerance && d22 >= -tolerance;
    }

    /// <summary>F and (when asked) Ḟ from layer <paramref name="table"/>'s cells at c = k12/√(k11k22).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DualMoments Evaluate<TTable>(in TTable tables, LookupLayer table, double k12, double k11, double k22, bool withDerivative)
        where TTable : struct, IKernelTableView
    {
        double norm = Math.Sqrt(k11 * k22);
        double c = norm > 0 ? ScalarMath.ClampUnit(k12 / norm) : 0;
        double s = ScalarMath.SqrtOneMinusSquare(c);
        double position = ScalarMath.Acos(c, s) * table.CellsPerRadian;
        int cell = (int)position;
        if (cell >= table.Cells)
        {
            cell = table.Cells - 1;
        }

        double x = position - cell;
        long offset = table.Offset + (long)cell * LookupLayer.CoefficientsPerCell;
        double f = tables.Coefficient(offset) + x * (tables.Coefficient(offset + 1) + x * (tables.Coefficient(offset + 2) + x * tables.Coefficient(offset + 3)));
        double fDot = 0;
        if (withDerivative)
        {
            fDot = tables.Coefficient(offset + 4) + x * (tables.Coefficient(offset + 5) + x * (tables.Coefficient(offset + 6) + x * tables.Coefficient(offset + 7)));
        }

        return new DualMoments(f, fDot);
    }

    /// <summary>
    /// The cubic on one cell of width <paramref name="h"/> with values f0, f1 and slopes d0, d1 at its
    /// ends, as coefficients of 1, x, x², x³ in the local coordinate x ∈ [0, 1].
    /// </summary>
    public static void HermiteCell(double f0, double f1, double d0, double d1, double h, Span<double> coefficients)
    {
        double s0 = h * d0;
        double s1 = h * d1;
        coefficients[0] = f0;
        coefficients[1] = s0;
        coefficients[2] = 3 * (f1 - f0) - 2 * s0 - s1;
        coefficients[3] = 2 * (f0 - f1) + s0 + s1;
    }
}
