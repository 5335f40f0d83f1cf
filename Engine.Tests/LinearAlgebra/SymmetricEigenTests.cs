using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests.LinearAlgebra;

/// <summary>
/// The symmetric eigendecomposition of both host providers (LAPACK dsyevd, MathNet's Evd), checked
/// against its definition (A·V = V·Λ, VᵀV = I, eigenvalues ascending) and against each other, on
/// positive definite and indefinite matrices whose strict upper triangle is garbage (only the lower
/// one may be read).
/// </summary>
public sealed class SymmetricEigenTests
{
    private const double Tolerance = 1e-10;

    public static TheoryData<string, int, bool> Cases()
    {
        var cases = new TheoryData<string, int, bool>();
        foreach (string provider in new[] { "native", "managed" })
        {
            foreach (int n in new[] { 1, 2, 50, 300 })
            {
                cases.Add(provider, n, true);
                cases.Add(provider, n, false);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decomposition_SatisfiesItsDefinition(string provider, int n, bool positiveDefinite)
    {
        var linearAlgebra = Provider(provider);
        double[] a = SymmetricMatrix(n, positiveDefinite, seed: n * 2 + (positiveDefinite ? 1 : 0));
        var (values, vectors) = Decompose(linearAlgebra, a, n);
        double scale = MaxAbs(a);

        for (int j = 1; j < n; j++)
        {
            Assert.True(values[j - 1] <= values[j], $"eigenvalues not ascending at {j}: {values[j - 1]:R} > {values[j]:R}");
        }

        if (positiveDefinite)
        {
            Assert.True(values[0] > 0, $"an SPD matrix with eigenvalue {values[0]:R}");
        }
        else if (n >= 50)
        {
            Assert.True(values[0] < 0 && values[n - 1] > 0, "the indefinite matrix should have eigenvalues of both signs");
        }

        double residual = 0, orthogonality = 0;
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                double av = 0, vtv = 0;
                for (int p = 0; p < n; p++)
                {
                    av += a[ColumnMajor.Index(i, p, n)] * vectors[ColumnMajor.Index(p, j, n)];
                    vtv += vectors[ColumnMajor.Index(p, i, n)] * vectors[ColumnMajor.Index(p, j, n)];
                }

                residual = Math.Max(residual, Math.Abs(av - vectors[ColumnMajor.Index(i, j, n)] * values[j]));
                orthogonality = Math.Max(orthogonality, Math.Abs(vtv - (i == j ? 1 : 0)));
            }
        }

        Assert.True(residual <= Tolerance * scale, $"max |A·V − V·Λ| = {residual:E2}, relative {residual / scale:E2}");
        Assert.True(orthogonality <= Tolerance, $"max |VᵀV − I| = {orthogonality:E2}");
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(50, true)]
    [InlineData(50, false)]
    [InlineData(300, true)]
    [InlineData(300, false)]
    public void NativeAndManaged_Agree(int n, bool positiveDefinite)
    {
        double[] a = SymmetricMatrix(n, positiveDefinite, seed: 1000 + n);
        var (nativeValues, nativeVectors) = Decompose(Provider("native"), a, n);
        var (managedValues, managedVectors) = Decompose(Provider("managed"), a, n);
        double scale = MaxAbs(a);

        for (int j = 0; j < n; j++)
        {
            Assert.True(Math.Abs(nativeValues[j] - managedValues[j]) <= Tolerance * scale, $"eigenvalue {j}: {nativeValues[j]:R} vs {managedValues[j]:R}");

            // A vector is defined up to its sign, and well only where its eigenvalue stands apart
            // (its error grows as ε‖A‖/gap): compare those whose gap is at least 1e-3·‖A‖.
            double gap = Math.Min(j > 0 ? nativeValues[j] - nativeValues[j - 1] : double.PositiveInfinity, j < n - 1 ? nativeValues[j + 1] - nativeValues[j] : double.PositiveInfinity);
            if (gap < 1e-3 * scale)
            {
                continue;
            }

            double dot = 0;
            for (int i = 0; i < n; i++)
            {
                dot += nativeVectors[ColumnMajor.Index(i, j, n)] * managedVectors[ColumnMajor.Index(i, j, n)];
            }

            double sign = Math.Sign(dot);
            for (int i = 0; i < n; i++)
            {
                double difference = Math.Abs(nativeVectors[ColumnMajor.Index(i, j, n)] - sign * managedVectors[ColumnMajor.Index(i, j, n)]);
                Assert.True(difference <= Tolerance, $"eigenvector {j}, entry {i}: differs by {difference:E2}");
            }
        }
    }

    [Fact]
    public void TwoByTwo_MatchesItsClosedForm()
    {
        // [[2, 1], [1, 2]]: eigenvalues 1 and 3, vectors (1, −1)/√2 and (1, 1)/√2.
        foreach (string provider in new[] { "native", "managed" })
        {
            var (values, vectors) = Decompose(Provider(provider), [2, 1, double.NaN, 2], 2);
            Assert.Equal(1, values[0], 1e-14);
            Assert.Equal(3, values[1], 1e-14);
            Assert.Equal(0, vectors[0] + vectors[1], 1e-14);
            Assert.Equal(0, vectors[2] - vectors[3], 1e-14);
            Assert.Equal(Math.Sqrt(0.5), Math.Abs(vectors[2]), 1e-14);
        }
    }

    [Theory]
    [InlineData("native")]
    [InlineData("managed")]
    public void EmptyMatrix_IsNothingToDo_AndShortBuffersAreRefused(string provider)
    {
        var linearAlgebra = Provider(provider);
        using var empty = HostBuffer.Allocate(0);
        linearAlgebra.SymmetricEigen(empty, 0, empty);

        using var matrix = HostBuffer.Allocate(9);
        using var tooFew = HostBuffer.Allocate(2);
        Assert.Equal("eigenvalues", Assert.Throws<ArgumentException>(() => linearAlgebra.SymmetricEigen(matrix, 3, tooFew)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => linearAlgebra.SymmetricEigen(tooFew, 3, matrix)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => linearAlgebra.SymmetricEigen(matrix, -1, matrix));
    }

    private static IHostLinearAlgebra Provider(string name)
    {
        if (name == "managed")
        {
            return HostLinearAlgebra.Managed;
        }

        var native = HostLinearAlgebra.Native(out string? reason);
        Assert.SkipWhen(native is null, $"no native LAPACK: {reason}");
        return native!;
    }

    /// <summary>Decomposes a copy of the column-major <paramref name="a"/> (its upper triangle replaced by NaN).</summary>
    private static (double[] Values, double[] Vectors) Decompose(IHostLinearAlgebra linearAlgebra, double[] a, int n)
    {
        using var matrix = HostBuffer.CopyOf(a);
        for (int j = 1; j < n; j++)
        {
            for (int i = 0; i < j; i++)
            {
                matrix[ColumnMajor.Index(i, j, n)] = double.NaN; // must not be read
            }
        }

        using var values = HostBuffer.Allocate(n);
        linearAlgebra.SymmetricEigen(matrix, n, values);
        return (values.ToArray(), matrix.ToArray());
    }

    /// <summary>A random symmetric n×n matrix: B·Bᵀ/n + I (positive definite) or (B + Bᵀ)/2 (indefinite).</summary>
    private static double[] SymmetricMatrix(int n, bool positiveDefinite, int seed)
    {
        var random = new Random(seed);
        double[] b = new double[n * n];
        for (int i = 0; i < b.Length; i++)
        {
            b[i] = 2 * random.NextDouble() - 1;
        }

        double[] a = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                if (positiveDefinite)
                {
                    double sum = 0;
                    for (int p = 0; p < n; p++)
                    {
                        sum += b[ColumnMajor.Index(i, p, n)] * b[ColumnMajor.Index(j, p, n)];
                    }

                    a[ColumnMajor.Index(i, j, n)] = sum / n + (i == j ? 1 : 0);
                }
                else
                {
                    a[ColumnMajor.Index(i, j, n)] = (b[ColumnMajor.Index(i, j, n)] + b[ColumnMajor.Index(j, i, n)]) / 2;
                }
            }
        }

        return a;
    }

    private static double MaxAbs(double[] values) => values.Max(Math.Abs);
}
