using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace GpuNngp.Solvers.Host;

/// <summary>
/// The fallback where no native BLAS loads: MathNet.Numerics' managed provider for the products and
/// the Cholesky factorisation, MathNet's <c>Evd(Symmetricity.Symmetric)</c> for the eigendecomposition;
/// the triangular solve (which MathNet's provider does not expose) is a column-parallel forward
/// substitution on the native buffers themselves.
/// </summary>
/// <remarks>
/// MathNet works on managed arrays, so each call copies its matrices into arrays and the results
/// back: one extra N×N copy while it runs (<see cref="WorkingCopies"/>), and no matrix larger than
/// a managed array (2^31 − 57 values, N ≤ 46,340). Larger sizes need the native provider; rather
/// than hand-write a blocked factorisation here, the engine refuses them up front with that fix.
/// </remarks>
internal sealed class ManagedLinearAlgebra : IHostLinearAlgebra
{
    /// <summary>The one-line fix for a size this provider cannot hold.</summary>
    public const string LargeSizeFix = "install libopenblas0-pthread (the native provider has no such limit)";

    private static readonly ManagedLinearAlgebraProvider Provider = ManagedLinearAlgebraProvider.Instance;

    public string Name => "managed (MathNet.Numerics 5)";

    public long MaxMatrixElements => Array.MaxLength;

    public int WorkingCopies => 1;

    public void SymmetricRankK(int n, int k, double alpha, HostBuffer a, HostBuffer c, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        double[] x = ToArray(a, ColumnMajor.Count(n, k), nameof(a));
        double[] product = new double[Checked(ColumnMajor.Count(n, n), nameof(c))];
        NativeLinearAlgebra.CheckLength(c, product.LongLength, nameof(c));
        Provider.MatrixMultiplyWithUpdate(Transpose.DontTranspose, Transpose.Transpose, alpha, x, n, k, x, n, k, 0, product);
        product.CopyTo(c.Slice(0, product.Length));
    }

    public void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double alpha, HostBuffer a, HostBuffer b, double beta, HostBuffer c, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        double[] left = ToArray(a, ColumnMajor.Count(m, k), nameof(a));
        double[] right = ToArray(b, ColumnMajor.Count(k, n), nameof(b));
        double[] result = ToArray(c, ColumnMajor.Count(m, n), nameof(c));
        Provider.MatrixMultiplyWithUpdate(
            transposeA ? Transpose.Transpose : Transpose.DontTranspose,
            transposeB ? Transpose.Transpose : Transpose.DontTranspose,
            alpha,
            left, transposeA ? k : m, transposeA ? m : k,
            right, transposeB ? n : k, transposeB ? k : n,
            beta, result);
        result.CopyTo(c.Slice(0, result.Length));
    }

    /// <summary>MathNet's one call: cancellable only before it starts, progress only at its end.</summary>
    public int CholeskyFactor(HostBuffer a, int n, Action<double>? progress = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long count = ColumnMajor.Count(n, n);
        Checked(count, nameof(a));
        NativeLinearAlgebra.CheckLength(a, count, nameof(a));

        // Only the lower triangle is meaningful (as for LAPACK); MathNet reads both, so mirror it.
        SymmetricTriangles.MirrorLowerToUpper(a, n);

        // MathNet signals a matrix that is not positive definite with an exception, not a code,
        // and does not say which minor failed; the native buffer is only overwritten on success,
        // so after a failure it still holds the matrix to probe for the order.
        double[] work = a.Slice(0, (int)count).ToArray();
        try
        {
            Provider.CholeskyFactor(work, n);
        }
        catch (ArgumentException)
        {
            a.Slice(0, (int)count).CopyTo(work);
            return FirstFailingMinor(work, n);
        }

        work.CopyTo(a.Slice(0, (int)count));
        progress?.Invoke(1);
        return 0;
    }

    public void CholeskySolve(HostBuffer factor, int n, HostBuffer b, int nrhs)
    {
        double[] lower = ToArray(factor, ColumnMajor.Count(n, n), nameof(factor));
        double[] rightHandSides = ToArray(b, ColumnMajor.Count(n, nrhs), nameof(b));
        Provider.CholeskySolveFactored(lower, n, rightHandSides, nrhs);
        rightHandSides.CopyTo(b.Slice(0, rightHandSides.Length));
    }

    public void LowerTriangularSolve(HostBuffer factor, int n, HostBuffer b, int nrhs, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        NativeLinearAlgebra.CheckLength(factor, ColumnMajor.Count(n, n), nameof(factor));
        NativeLinearAlgebra.CheckLength(b, ColumnMajor.Count(n, nrhs), nameof(b));
        Parallel.For(0, nrhs, column =>
        {
            Span<double> x = b.Slice(ColumnMajor.ColumnStart(column, n), n);
            for (int j = 0; j < n; j++)
            {
                ReadOnlySpan<double> factorColumn = factor.Slice(ColumnMajor.ColumnStart(j, n), n);
                double value = x[j] / factorColumn[j];
                x[j] = value;
                for (int i = j + 1; i < n; i++)
                {
                    x[i] -= factorColumn[i] * value;
                }
            }
        });
    }

    public void SymmetricEigen(HostBuffer a, int n, HostBuffer eigenvalues)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        long count = ColumnMajor.Count(n, n);
        Checked(count, nameof(a));
        NativeLinearAlgebra.CheckLength(a, count, nameof(a));
        NativeLinearAlgebra.CheckLength(eigenvalues, n, nameof(eigenvalues));
        if (n == 0)
        {
            return;
        }

        // Only the lower triangle is meaningful (as for LAPACK); MathNet reads both, so mirror it
        // (a is overwritten by the vectors anyway).
        SymmetricTriangles.MirrorLowerToUpper(a, n);
        Evd<double> evd;
        try
        {
            evd = Matrix<double>.Build.Dense(n, n, a.Slice(0, (int)count).ToArray()).Evd(Symmetricity.Symmetric);
        }
        catch (NonConvergenceException e)
        {
            throw new ArithmeticException($"the managed eigendecomposition of the {n}×{n} matrix did not converge", e);
        }

        // The symmetric QL iteration leaves the eigenvalues ascending, each with its column of V.
        for (int i = 0; i < n; i++)
        {
            eigenvalues[i] = evd.EigenValues[i].Real;
        }

        (evd.EigenVectors.AsColumnMajorArray() ?? evd.EigenVectors.ToColumnMajorArray()).CopyTo(a.Slice(0, (int)count));
    }

    /// <summary>The refusal of a matrix MathNet's managed arrays cannot hold.</summary>
    private static int Checked(long count, string name)
    {
        if (count > Array.MaxLength)
        {
            throw new NotSupportedException(
                $"{name}: {count:N0} values exceed the managed provider's largest matrix ({Array.MaxLength:N0} values, N ≤ 46,340); {LargeSizeFix}");
        }

        return (int)count;
    }

    private static double[] ToArray(HostBuffer buffer, long count, string name)
    {
        int length = Checked(count, name);
        NativeLinearAlgebra.CheckLength(buffer, count, name);
        return buffer.Slice(0, length).ToArray();
    }

    /// <summary>The unblocked Cholesky recurrence run only far enough to find the first non-positive pivot.</summary>
    private static int FirstFailingMinor(double[] work, int n)
    {
        for (int j = 0; j < n; j++)
        {
            double pivot = work[ColumnMajor.Index(j, j, n)];
            for (int p = 0; p < j; p++)
            {
                pivot -= work[ColumnMajor.Index(j, p, n)] * work[ColumnMajor.Index(j, p, n)];
            }

            if (!(pivot > 0))
            {
                return j + 1;
            }

            pivot = Math.Sqrt(pivot);
            work[ColumnMajor.Index(j, j, n)] = pivot;
            for (int i = j + 1; i < n; i++)
            {
                double sum = work[ColumnMajor.Index(i, j, n)];
                for (int p = 0; p < j; p++)
                {
                    sum -= work[ColumnMajor.Index(i, p, n)] * work[ColumnMajor.Index(j, p, n)];
                }

                work[ColumnMajor.Index(i, j, n)] = sum / pivot;
            }
        }

        return n;
    }
}
