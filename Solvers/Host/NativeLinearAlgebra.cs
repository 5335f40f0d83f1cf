using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Host;

/// <summary>The system's BLAS/LAPACK (OpenBLAS where installed) behind <see cref="IHostLinearAlgebra"/>.</summary>
public sealed unsafe class NativeLinearAlgebra : IHostLinearAlgebra
{
    private NativeLinearAlgebra(string name) => Name = name;

    public string Name { get; }

    /// <summary>Loads libblas.so.3 and liblapack.so.3; null (and the reason) when they do not load.</summary>
    public static NativeLinearAlgebra? TryCreate(out string? reason)
    {
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
            ? $"{OpenBlasVersion()} via {NativeBlas.BlasLibrary}"
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

    public void SymmetricRankK(int n, int k, double alpha, double[] a, double[] c)
    {
        CheckLength(a, (long)n * k, nameof(a));
        CheckLength(c, (long)n * n, nameof(c));
        byte uplo = (byte)'L', trans = (byte)'N';
        double beta = 0;
        int lda = Math.Max(1, n), ldc = Math.Max(1, n);
        fixed (double* pa = a, pc = c)
        {
            NativeBlas.Dsyrk(&uplo, &trans, &n, &k, &alpha, pa, &lda, &beta, pc, &ldc, 1, 1);
        }
    }

    public void Multiply(bool transposeA, bool transposeB, int m, int n, int k, double alpha, double[] a, double[] b, double beta, double[] c)
    {
        CheckLength(a, (long)m * k, nameof(a));
        CheckLength(b, (long)k * n, nameof(b));
        CheckLength(c, (long)m * n, nameof(c));
        byte ta = transposeA ? (byte)'T' : (byte)'N', tb = transposeB ? (byte)'T' : (byte)'N';
        int lda = Math.Max(1, transposeA ? k : m), ldb = Math.Max(1, transposeB ? n : k), ldc = Math.Max(1, m);
        fixed (double* pa = a, pb = b, pc = c)
        {
            NativeBlas.Dgemm(&ta, &tb, &m, &n, &k, &alpha, pa, &lda, pb, &ldb, &beta, pc, &ldc, 1, 1);
        }
    }

    public int CholeskyFactor(double[] a, int n)
    {
        CheckLength(a, (long)n * n, nameof(a));
        byte uplo = (byte)'L';
        int lda = Math.Max(1, n), info = 0;
        fixed (double* pa = a)
        {
            NativeBlas.Dpotrf(&uplo, &n, pa, &lda, &info, 1);
        }

        if (info < 0)
        {
            throw new ArgumentException($"dpotrf rejected argument {-info}");
        }

        return info;
    }

    public void CholeskySolve(double[] factor, int n, double[] b, int nrhs)
    {
        CheckLength(factor, (long)n * n, nameof(factor));
        CheckLength(b, (long)n * nrhs, nameof(b));
        byte uplo = (byte)'L';
        int lda = Math.Max(1, n), ldb = Math.Max(1, n), info = 0;
        fixed (double* pa = factor, pb = b)
        {
            NativeBlas.Dpotrs(&uplo, &n, &nrhs, pa, &lda, pb, &ldb, &info, 1);
        }

        if (info != 0)
        {
            throw new ArgumentException($"dpotrs rejected argument {-info}");
        }
    }

    public void LowerTriangularSolve(double[] factor, int n, double[] b, int nrhs)
    {
        CheckLength(factor, (long)n * n, nameof(factor));
        CheckLength(b, (long)n * nrhs, nameof(b));
        byte side = (byte)'L', uplo = (byte)'L', trans = (byte)'N', diag = (byte)'N';
        double alpha = 1;
        int lda = Math.Max(1, n), ldb = Math.Max(1, n);
        fixed (double* pa = factor, pb = b)
        {
            NativeBlas.Dtrsm(&side, &uplo, &trans, &diag, &n, &nrhs, &alpha, pa, &lda, pb, &ldb, 1, 1, 1, 1);
        }
    }

    internal static void CheckLength(double[] array, long required, string name)
    {
        ArgumentNullException.ThrowIfNull(array, name);
        if (array.LongLength < required)
        {
            throw new ArgumentException($"{name} holds {array.LongLength} values; {required} are needed", name);
        }
    }
}
