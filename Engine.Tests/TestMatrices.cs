namespace GpuNngp.Engine.Tests;

/// <summary>Small helpers on column-major test matrices.</summary>
internal static class TestMatrices
{
    /// <summary>The diagonal of a column-major n×n matrix.</summary>
    public static double[] Diagonal(double[] matrix, int n)
    {
        var diagonal = new double[n];
        for (int i = 0; i < n; i++)
        {
            diagonal[i] = matrix[(long)i * n + i];
        }

        return diagonal;
    }
}
