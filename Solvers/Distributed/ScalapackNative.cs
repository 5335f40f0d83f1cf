using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Distributed;

/// <summary>
/// BLACS (its C interface), ScaLAPACK and PBLAS (their Fortran interfaces) of Debian's
/// libscalapack-openmpi.so.2.2, which links libmpi.so.40 and the system BLAS/LAPACK. Fortran
/// arguments are passed by reference; matrices are described by 9-integer descriptors
/// (<see cref="BlockCyclicLayout.Descriptor"/>) and addressed from global row and column 1. The trailing lengths are
/// gfortran's hidden CHARACTER lengths (PBLAS, written in C, ignores them).
/// </summary>
internal static unsafe partial class ScalapackNative
{
    /// <summary>Debian's ScaLAPACK built on Open MPI.</summary>
    public const string Library = "libscalapack-openmpi.so.2.2";

    /// <summary>The length of a ScaLAPACK array descriptor.</summary>
    public const int DescriptorLength = 9;

    [LibraryImport(Library, EntryPoint = "Cblacs_pinfo")]
    public static partial void BlacsProcessInfo(int* rank, int* processes);

    [LibraryImport(Library, EntryPoint = "Cblacs_get")]
    public static partial void BlacsGet(int context, int what, int* value);

    [LibraryImport(Library, EntryPoint = "Cblacs_gridinit")]
    public static partial void BlacsGridInit(int* context, byte* order, int rows, int columns);

    [LibraryImport(Library, EntryPoint = "Cblacs_gridinfo")]
    public static partial void BlacsGridInfo(int context, int* rows, int* columns, int* row, int* column);

    [LibraryImport(Library, EntryPoint = "Cblacs_gridexit")]
    public static partial void BlacsGridExit(int context);

    [LibraryImport(Library, EntryPoint = "descinit_")]
    public static partial void DescriptorInit(
        int* descriptor, int* m, int* n, int* mb, int* nb, int* rowSource, int* columnSource, int* context, int* leadingDimension, int* info);

    [LibraryImport(Library, EntryPoint = "pdpotrf_")]
    public static partial void Pdpotrf(byte* uplo, int* n, double* a, int* ia, int* ja, int* descA, int* info, nint uploLength);

    [LibraryImport(Library, EntryPoint = "pdpotrs_")]
    public static partial void Pdpotrs(
        byte* uplo, int* n, int* nrhs, double* a, int* ia, int* ja, int* descA, double* b, int* ib, int* jb, int* descB, int* info, nint uploLength);

    [LibraryImport(Library, EntryPoint = "pdtrsm_")]
    public static partial void Pdtrsm(
        byte* side, byte* uplo, byte* transA, byte* diag, int* m, int* n, double* alpha,
        double* a, int* ia, int* ja, int* descA, double* b, int* ib, int* jb, int* descB,
        nint sideLength, nint uploLength, nint transALength, nint diagLength);

    [LibraryImport(Library, EntryPoint = "pdgemm_")]
    public static partial void Pdgemm(
        byte* transA, byte* transB, int* m, int* n, int* k, double* alpha,
        double* a, int* ia, int* ja, int* descA, double* b, int* ib, int* jb, int* descB,
        double* beta, double* c, int* ic, int* jc, int* descC, nint transALength, nint transBLength);

    /// <summary>C := β·C + α·Aᵀ (PBLAS).</summary>
    [LibraryImport(Library, EntryPoint = "pdtran_")]
    public static partial void Pdtran(
        int* m, int* n, double* alpha, double* a, int* ia, int* ja, int* descA, double* beta, double* c, int* ic, int* jc, int* descC);

    /// <summary>Copies a submatrix between any two block-cyclic layouts of one BLACS context (or overlapping ones).</summary>
    [LibraryImport(Library, EntryPoint = "pdgemr2d_")]
    public static partial void Pdgemr2d(
        int* m, int* n, double* a, int* ia, int* ja, int* descA, double* b, int* ib, int* jb, int* descB, int* context);

    /// <summary>
    /// Symmetric eigendecomposition by divide and conquer; <paramref name="lwork"/> = <paramref name="liwork"/> = −1
    /// is the workspace query. The eigenvalues <paramref name="w"/> come back on every process.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "pdsyevd_")]
    public static partial void Pdsyevd(
        byte* jobz, byte* uplo, int* n, double* a, int* ia, int* ja, int* descA, double* w,
        double* z, int* iz, int* jz, int* descZ, double* work, int* lwork, int* iwork, int* liwork, int* info,
        nint jobzLength, nint uploLength);
}
