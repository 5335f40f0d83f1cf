namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// The eigendecomposition K = V·Λ·Vᵀ of a symmetric matrix (a kernel) on any provider, written once
/// over <see cref="IComputeProvider.SymmetricEigen"/>: the seam the training dynamics build on
/// (e^{−ηΘt} = V·e^{−ηΛt}·Vᵀ needs Θ's spectrum once).
/// </summary>
internal static class SpectralPipeline
{
    /// <summary>
    /// The eigenvalues (ascending) and eigenvectors (columns, orthonormal) of the symmetric n×n
    /// <paramref name="matrix"/>, of which only the lower triangle is read; the matrix is not changed.
    /// </summary>
    /// <exception cref="NngpInputException">The matrix is not square, is too large to decompose, or has a NaN or ±∞ in its lower triangle.</exception>
    /// <exception cref="NngpNumericalException">The provider's eigensolver did not converge.</exception>
    public static SpectralDecomposition Decompose(IComputeProvider provider, HostMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.RowCount;
        if (matrix.ColumnCount != n)
        {
            throw new NngpInputException($"an eigendecomposition needs a square matrix, got {matrix.RowCount}×{matrix.ColumnCount}");
        }

        // LAPACK's and cuSOLVER's 32-bit workspace sizes stop dsyevd near n = 32,000 (2n² doubles) long before this.
        if (matrix.Count > Array.MaxLength)
        {
            throw new NngpInputException($"a {n:N0}×{n:N0} matrix is too large to decompose (at most {Array.MaxLength:N0} entries)");
        }

        var vectors = provider.Upload(matrix.Storage.Slice(0, (int)matrix.Count), "the matrix to decompose");
        try
        {
            long nonFinite = provider.FirstNonFiniteLowerTriangle(vectors, n);
            if (nonFinite >= 0)
            {
                throw new NngpInputException($"the matrix to decompose has a NaN or infinite entry at ({nonFinite % n}, {nonFinite / n})");
            }

            using var values = provider.Allocate(n, "the eigenvalues");
            provider.SymmetricEigen(vectors, n, values);
            var eigenvalues = new double[n];
            provider.CopyOut(values, 0, eigenvalues);
            return new SpectralDecomposition(eigenvalues, provider.ToHost(vectors, n, n));
        }
        catch
        {
            vectors.Dispose();
            throw;
        }
    }
}

/// <summary>Λ and V of K = V·Λ·Vᵀ: <see cref="Eigenvalues"/> ascending, column j of <see cref="Eigenvectors"/> the vector of eigenvalue j.</summary>
internal sealed class SpectralDecomposition(double[] eigenvalues, HostMatrix eigenvectors) : IDisposable
{
    public double[] Eigenvalues { get; } = eigenvalues;

    public HostMatrix Eigenvectors { get; } = eigenvectors;

    public void Dispose() => Eigenvectors.Dispose();
}
