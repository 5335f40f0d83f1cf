namespace GpuNngp.Engine.Computation;

/// <summary>The scalar formulas of exact GP regression that every backend shares.</summary>
internal static class GaussianProcessMath
{
    private static readonly double LogTwoPi = Math.Log(2 * Math.PI);

    /// <summary>
    /// log p(Y) = Σ_c [ −½ y_cᵀα_c − Σ_i log L_ii − (N/2) log 2π ], from the per-output
    /// data fit yᵀα and the log-determinant half Σ log L_ii.
    /// </summary>
    public static double LogMarginalLikelihood(IReadOnlyList<double> dataFit, double sumLogCholeskyDiagonal, int trainCount)
    {
        ArgumentNullException.ThrowIfNull(dataFit);
        double total = 0;
        foreach (double fit in dataFit)
        {
            total += -0.5 * fit - sumLogCholeskyDiagonal - 0.5 * trainCount * LogTwoPi;
        }

        return total;
    }

    /// <summary>
    /// The same from the column-major targets Y and α = A⁻¹Y (N×C) and the diagonal of the Cholesky
    /// factor L, as every backend has them after its solve.
    /// </summary>
    public static double LogMarginalLikelihood(double[] targets, double[] alpha, double[] choleskyDiagonal, int outputs)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(alpha);
        ArgumentNullException.ThrowIfNull(choleskyDiagonal);
        int n = choleskyDiagonal.Length;
        var dataFit = new double[outputs];
        for (int c = 0; c < outputs; c++)
        {
            long offset = (long)c * n;
            for (int i = 0; i < n; i++)
            {
                dataFit[c] += targets[offset + i] * alpha[offset + i];
            }
        }

        double sumLog = 0;
        for (int i = 0; i < n; i++)
        {
            sumLog += Math.Log(choleskyDiagonal[i]);
        }

        return LogMarginalLikelihood(dataFit, sumLog, n);
    }

    /// <summary>A posterior variance, floored at 0: rounding can make q − ‖v‖² slightly negative.</summary>
    public static double PosteriorVariance(double priorVariance, double explained) =>
        Math.Max(0, priorVariance - explained);
}
