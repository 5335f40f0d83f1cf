using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Iterative;

/// <summary>
/// tr log(B) for B = P^{-1/2}·A·P^{-1/2} by stochastic Lanczos quadrature (Ubaru, Chen and Saad 2017):
/// for each Rademacher probe w (‖w‖² = N), wᵀ·log(B)·w ≈ ‖w‖²·Σ_j τ_j²·log θ_j, θ_j and τ_j the
/// eigenvalues and first eigenvector components of the Lanczos tridiagonal T that PCG on A·x = P^{1/2}·w
/// built; the estimate is the probes' mean, its standard error their standard deviation / √probes.
/// T's entries from the CG coefficients: T_jj = 1/α_j + β_{j−1}/α_{j−1}, T_{j,j+1} = √β_j / α_j.
/// </summary>
internal static class StochasticLanczosQuadrature
{
    /// <summary>The estimate of tr log(B) and its standard error (0 for one probe: unknown, stated as such by the caller).</summary>
    public static (double Estimate, double StandardError) TraceOfLog(IEnumerable<(List<double> Alpha, List<double> Beta)> probes, double squaredNorm)
    {
        ArgumentNullException.ThrowIfNull(probes);
        var values = probes.Select(p => squaredNorm * QuadraticForm(p.Alpha, p.Beta)).ToArray();
        double mean = values.Average();
        if (values.Length < 2)
        {
            return (mean, double.NaN);
        }

        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        return (mean, Math.Sqrt(variance / values.Length));
    }

    /// <summary>e₁ᵀ·log(T)·e₁ for the T of one probe's coefficients.</summary>
    public static double QuadraticForm(IReadOnlyList<double> alpha, IReadOnlyList<double> beta)
    {
        ArgumentNullException.ThrowIfNull(alpha);
        ArgumentNullException.ThrowIfNull(beta);
        int m = alpha.Count;
        if (m == 0)
        {
            return 0;
        }

        var t = Matrix<double>.Build.Dense(m, m);
        for (int j = 0; j < m; j++)
        {
            t[j, j] = (1 / alpha[j]) + (j > 0 ? beta[j - 1] / alpha[j - 1] : 0);
            if (j + 1 < m)
            {
                double off = Math.Sqrt(beta[j]) / alpha[j];
                t[j, j + 1] = off;
                t[j + 1, j] = off;
            }
        }

        var evd = t.Evd(Symmetricity.Symmetric);
        double sum = 0;
        for (int k = 0; k < m; k++)
        {
            double tau = evd.EigenVectors[0, k];
            sum += tau * tau * Math.Log(evd.EigenValues[k].Real);
        }

        return sum;
    }
}
