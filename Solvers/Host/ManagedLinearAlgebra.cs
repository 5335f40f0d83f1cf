using MathNet.Numerics.Providers.LinearAlgebra;

namespace GpuNngp.Solvers.Host;

/// <summary>
/// The fallback where no native BLAS loads: MathNet.Numerics' managed provider for the products and
/// the Cholesky factorisation; the triangular solve (which MathNet's provider does not expose) is a
/// column-parallel forward substitution.
/// </summary>
public sealed class ManagedLinearAlgebra : IHostLinearAlgebra
{
    private static readonly ManagedLinearAlgebraProvider Provider = ManagedLinearAlgebraProvider.Instance;

    public string Name => "managed (MathNet.Numerics 5)";

    public void SymmetricRankK(int n, int k, double alpha, double[] a, double[] c)
    {
        NativeLinearAlgebra.CheckLength(a, (long)n * k, nameof(a));
        Provider.MatrixMultiplyWithUpdate(Transpose.DontTranspose, Transpose.Transpose, alpha, a, n, k, a, n, k, 0, c);
    }

    public void Multiply(bool transposeA, bool transposeB, int m, int n, int k, double alpha, double[] a, double[] b, double beta, double[] c)
    {
        Provider.MatrixMultiplyWithUpdate(
            transposeA ? Transpose.Transpose : Transpose.DontTranspose,
            transposeB ? Transpose.Transpose : Transpose.DontTranspose,
            alpha,
            a, transposeA ? k : m, transposeA ? m : k,
            b, transposeB ? n : k, transposeB ? k : n,
            beta, c);
    }

    public int CholeskyFactor(double[] a, int n)
    {
        NativeLinearAlgebra.CheckLength(a, (long)n * n, nameof(a));

        // Only the lower triangle is meaningful (as for LAPACK); MathNet reads both, so mirror it.
        for (int column = 0; column < n; column++)
        {
            for (int row = column + 1; row < n; row++)
            {
                a[(long)row * n + column] = a[(long)column * n + row];
            }
        }

        // MathNet signals a matrix that is not positive definite with an exception, not a code,
        // and does not say which minor failed: probe the diagonal it leaves for the order.
        double[] backup = (double[])a.Clone();
        try
        {
            Provider.CholeskyFactor(a, n);
            return 0;
        }
        catch (ArgumentException)
        {
            Array.Copy(backup, a, backup.Length);
            return FirstFailingMinor(a, n);
        }
    }

    public void CholeskySolve(double[] factor, int n, double[] b, int nrhs) =>
        Provider.CholeskySolveFactored(factor, n, b, nrhs);

    public void LowerTriangularSolve(double[] factor, int n, double[] b, int nrhs)
    {
        NativeLinearAlgebra.CheckLength(factor, (long)n * n, nameof(factor));
        NativeLinearAlgebra.CheckLength(b, (long)n * nrhs, nameof(b));
        Parallel.For(0, nrhs, column =>
        {
            long offset = (long)column * n;
            for (int j = 0; j < n; j++)
            {
                double x = b[offset + j] / factor[(long)j * n + j];
                b[offset + j] = x;
                long factorColumn = (long)j * n;
                for (int i = j + 1; i < n; i++)
                {
                    b[offset + i] -= factor[factorColumn + i] * x;
                }
            }
        });
    }

    /// <summary>The unblocked Cholesky recurrence run only far enough to find the first non-positive pivot.</summary>
    private static int FirstFailingMinor(double[] a, int n)
    {
        var work = (double[])a.Clone();
        for (int j = 0; j < n; j++)
        {
            double pivot = work[(long)j * n + j];
            for (int p = 0; p < j; p++)
            {
                pivot -= work[(long)p * n + j] * work[(long)p * n + j];
            }

            if (!(pivot > 0))
            {
                return j + 1;
            }

            pivot = Math.Sqrt(pivot);
            work[(long)j * n + j] = pivot;
            for (int i = j + 1; i < n; i++)
            {
                double sum = work[(long)j * n + i];
                for (int p = 0; p < j; p++)
                {
                    sum -= work[(long)p * n + i] * work[(long)p * n + j];
                }

                work[(long)j * n + i] = sum / pivot;
            }
        }

        return n;
    }
}
