using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Host;

/// <summary>
/// The Fortran BLAS/LAPACK entry points of the system's libblas.so.3 and liblapack.so.3 (Debian's
/// alternatives point them at OpenBLAS when libopenblas0-pthread is installed). Every argument is
/// passed by reference; the trailing lengths are gfortran's hidden CHARACTER lengths.
/// </summary>
internal static unsafe partial class NativeBlas
{
    public const string BlasLibrary = "libblas.so.3";
    public const string LapackLibrary = "liblapack.so.3";

    [LibraryImport(BlasLibrary, EntryPoint = "dsyrk_")]
    public static partial void Dsyrk(
        byte* uplo, byte* trans, int* n, int* k, double* alpha, double* a, int* lda,
        double* beta, double* c, int* ldc, nint uploLength, nint transLength);

    [LibraryImport(BlasLibrary, EntryPoint = "dgemm_")]
    public static partial void Dgemm(
        byte* transA, byte* transB, int* m, int* n, int* k, double* alpha, double* a, int* lda,
        double* b, int* ldb, double* beta, double* c, int* ldc, nint transALength, nint transBLength);

    [LibraryImport(BlasLibrary, EntryPoint = "dtrsm_")]
    public static partial void Dtrsm(
        byte* side, byte* uplo, byte* transA, byte* diag, int* m, int* n, double* alpha,
        double* a, int* lda, double* b, int* ldb,
        nint sideLength, nint uploLength, nint transALength, nint diagLength);

    [LibraryImport(LapackLibrary, EntryPoint = "dpotrf_")]
    public static partial void Dpotrf(byte* uplo, int* n, double* a, int* lda, int* info, nint uploLength);

    [LibraryImport(LapackLibrary, EntryPoint = "dpotrs_")]
    public static partial void Dpotrs(
        byte* uplo, int* n, int* nrhs, double* a, int* lda, double* b, int* ldb, int* info, nint uploLength);

    /// <summary>
    /// Symmetric eigendecomposition by divide and conquer; <paramref name="lwork"/> = <paramref name="liwork"/> = −1
    /// is the workspace query (the sizes come back in work[0] and iwork[0]).
    /// </summary>
    [LibraryImport(LapackLibrary, EntryPoint = "dsyevd_")]
    public static partial void Dsyevd(
        byte* jobz, byte* uplo, int* n, double* a, int* lda, double* w, double* work, int* lwork,
        int* iwork, int* liwork, int* info, nint jobzLength, nint uploLength);

    /// <summary>OpenBLAS's own description of its build; absent from reference BLAS.</summary>
    [LibraryImport(BlasLibrary, EntryPoint = "openblas_get_config")]
    public static partial byte* OpenBlasGetConfig();
}
