using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Host;

/// <summary>The system's BLAS/LAPACK (OpenBLAS where installed) behind <see cref="IHostLinearAlgebra"/>.</summary>
internal sealed unsafe class NativeLinearAlgebra : IHostLinearAlgebra
{
    private NativeLinearAlgebra(string name) => Name = name;

    public string Name { get; }

    /// <summary>Loads libblas.so.3 and liblapack.so.3; null (and the reason) when they do not load.</summary>
    public static NativeLinearAlgebra? TryCreate(out string? reason)
    {
        OpenBlasCoreSelection.Apply(); // before the first load: OpenBLAS reads it once, as it initialises
        if (!NativeLibrary.TryLoad(NativeBlas.BlasLibrary, out nint blas))
        {
            reason = $"{NativeBlas.BlasLibrary} did not load";
            return null;
        }

        if (!NativeLibrary.TryLoad(NativeBlas.LapackLibrary, out nint lapack)
            || !NativeLibrary.TryGetExport(lapack, "dpotrf_", out _))
        {
            reason = $"{NativeBlas.LapackLibrary} did not load";
            return null;
        }

        string name = NativeLibrary.TryGetExport(blas, "openblas_get_config", out _)
            ? $"{OpenBlasVersion()} via {NativeBlas.BlasLibrary}{(OpenBlasCoreSelection.Chosen is { } core ? $" ({OpenBlasCoreSelection.Variable}={core} set by GpuNngp for this AVX-512 CPU)" : "")}"
            : $"reference BLAS/LAPACK via {NativeBlas.BlasLibrary} (install libopenblas0-pthread for speed)";
        reason = null;
        return new NativeLinearAlgebra(name);
    }

    /// <summary>"OpenBLAS 0.3.21 Haswell": the version and the kernel set from OpenBLAS's configuration string.</summary>
    private static string OpenBlasVersion()
    {
        string config = Marshal.PtrToStringUTF8((nint)NativeBlas.OpenBlasGetConfig()) ?? "OpenBLAS";
        string[] words = config.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string core = words.FirstOrDefault(w => w.All(char.IsLetterOrDigit) && w.Any(char.IsLower) && w != "OpenBLAS") ?? "";
        return string.Join(' ', words.Take(2).Append(core)).Trim();
    }

    /// <summary>BLAS takes n and the leading dimension as 32-bit integers; the element count itself is unbounded.</summary>
    public long MaxMatrixElements => long.MaxValue;

    public int WorkingCopies => 0;

    public void SymmetricRankK(int n, int k, double alpha, HostBuffer a, HostBuffer c, CancellationToken cancellationToken = default)
    {
        CheckLength(a, ColumnMajor.Count(n, k), nameof(a));
        CheckLength(c, ColumnMajor.Count(n, n), nameof(c));
        if (cancellationToken.CanBeCanceled)
        {
            CancellableBlas.SymmetricRankK(n, k, alpha, a.Pointer, c.Pointer, cancellationToken);
            return;
        }

        byte uplo = (byte)'L', trans = (byte)'N';
        double beta = 0;
        int lda = Math.Max(1, n), ldc = Math.Max(1, n);
        NativeBlas.Dsyrk(&uplo, &trans, &n, &k, &alpha, a.Pointer, &lda, &beta, c.Pointer, &ldc, 1, 1);
    }

    public void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double alpha, HostBuffer a, HostBuffer b, double beta, HostBuffer c, CancellationToken cancellationToken = default)
    {
        CheckLength(a, ColumnMajor.Count(m, k), nameof(a));
        CheckLength(b, ColumnMajor.Count(k, n), nameof(b));
        CheckLength(c, ColumnMajor.Count(m, n), nameof(c));
        if (cancellationToken.CanBeCanceled)
        {
            CancellableBlas.Multiply(transposeA, transposeB, m, n, k, alpha, a.Pointer, b.Pointer, beta, c.Pointer, cancellationToken);
            return;
        }

        byte ta = transposeA ? (byte)'T' : (byte)'N', tb = transposeB ? (byte)'T' : (byte)'N';
        int lda = Math.Max(1, transposeA ? k : m), ldb = Math.Max(1, transposeB ? n : k), ldc = Math.Max(1, m);
        NativeBlas.Dgemm(&ta, &tb, &m, &n, &k, &alpha, a.Pointer, &lda, b.Pointer, &ldb, &beta, c.Pointer, &ldc, 1, 1);
    }

    /// <summary>
    /// Blocked (<see cref="BlockedCholesky"/>) rather than one dpotrf call, so that it reports progress
    /// and stops within one block step of a cancellation.
    /// </summary>
    public int CholeskyFactor(HostBuffer a, int n, Action<double>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckLength(a, ColumnMajor.Count(n, n), nameof(a));
        return BlockedCholesky.Factor(new NativeCholeskyBlocks(a, n), n, BlockedCholesky.HostBlock, BlockedCholesky.HostSlab, progress, cancellationToken);
    }

    /// <summary>LAPACK's single dpotrf call on the whole matrix: the reference the blocked factorisation is tested against.</summary>
    internal static int SingleCallCholesky(HostBuffer a, int n)
    {
        CheckLength(a, ColumnMajor.Count(n, n), nameof(a));
        return new NativeCholeskyBlocks(a, n).FactorDiagonal(0, n);
    }

    public void CholeskySolve(HostBuffer factor, int n, HostBuffer b, int nrhs)
    {
        CheckLength(factor, ColumnMajor.Count(n, n), nameof(factor));
        CheckLength(b, ColumnMajor.Count(n, nrhs), nameof(b));
        byte uplo = (byte)'L';
        int lda = Math.Max(1, n), ldb = Math.Max(1, n), info = 0;
        NativeBlas.Dpotrs(&uplo, &n, &nrhs, factor.Pointer, &lda, b.Pointer, &ldb, &info, 1);
        if (info != 0)
        {
            throw new ArgumentException($"dpotrs rejected argument {-info}");
        }
    }

    public void LowerTriangularSolve(HostBuffer factor, int n, HostBuffer b, int nrhs, CancellationToken cancellationToken = default)
    {
        CheckLength(factor, ColumnMajor.Count(n, n), nameof(factor));
        CheckLength(b, ColumnMajor.Count(n, nrhs), nameof(b));
        if (cancellationToken.CanBeCanceled)
        {
            CancellableBlas.LowerTriangularSolve(n, factor.Pointer, b.Pointer, nrhs, cancellationToken);
            return;
        }

        byte side = (byte)'L', uplo = (byte)'L', trans = (byte)'N', diag = (byte)'N';
        double alpha = 1;
        int lda = Math.Max(1, n), ldb = Math.Max(1, n);
        NativeBlas.Dtrsm(&side, &uplo, &trans, &diag, &n, &nrhs, &alpha, factor.Pointer, &lda, b.Pointer, &ldb, 1, 1, 1, 1);
    }

    public void SymmetricEigen(HostBuffer a, int n, HostBuffer eigenvalues)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        CheckLength(a, ColumnMajor.Count(n, n), nameof(a));
        CheckLength(eigenvalues, n, nameof(eigenvalues));
        if (n == 0)
        {
            return;
        }

        byte jobz = (byte)'V', uplo = (byte)'L';
        int lda = n, info = 0, query = -1, iworkSize = 0;
        double workSize = 0;
        NativeBlas.Dsyevd(&jobz, &uplo, &n, a.Pointer, &lda, eigenvalues.Pointer, &workSize, &query, &iworkSize, &query, &info, 1, 1);
        if (info != 0)
        {
            throw new ArgumentException($"dsyevd's workspace query rejected argument {-info}");
        }

        // With vectors the workspace is 1 + 6n + 2n² doubles, two more n×n matrices: native memory,
        // like the matrix itself (LAPACK's 32-bit lwork bounds n at about 32,000).
        int lwork = checked((int)workSize), liwork = iworkSize;
        using var work = HostBuffer.Allocate(lwork);
        int[] iwork = new int[liwork];
        fixed (int* iworkPointer = iwork)
        {
            NativeBlas.Dsyevd(&jobz, &uplo, &n, a.Pointer, &lda, eigenvalues.Pointer, work.Pointer, &lwork, iworkPointer, &liwork, &info, 1, 1);
        }

        if (info < 0)
        {
            throw new ArgumentException($"dsyevd rejected argument {-info}");
        }

        if (info > 0)
        {
            throw new ArithmeticException($"dsyevd: the eigendecomposition of the {n}×{n} matrix did not converge (a submatrix {info / (n + 1)}–{info % (n + 1)} failed)");
        }
    }

    internal static void CheckLength(HostBuffer buffer, long required, string name)
    {
        ArgumentNullException.ThrowIfNull(buffer, name);
        if (buffer.Length < required)
        {
            throw new ArgumentException($"{name} holds {buffer.Length} values; {required} are needed", name);
        }
    }
}
