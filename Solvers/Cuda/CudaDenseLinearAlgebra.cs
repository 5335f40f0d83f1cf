namespace GpuNngp.Solvers.Cuda;

/// <summary>
/// One cuBLAS handle and one cuSOLVER handle bound to one CUDA stream: the FP64 dense operations of the GPU
/// path (syrk, gemm, trsm, potrf, potrs, syevd) on device pointers, column-major, lower triangle.
/// </summary>
/// <remarks>
/// <para>Every call is asynchronous on the stream, like a kernel launch: it returns once queued. Results are
/// there for later work on the same stream; the host sees them after synchronising the stream (ILGPU's
/// copies to the CPU do). A failing status throws <see cref="CudaException"/> with the status name; an
/// argument the library would reject throws <see cref="ArgumentException"/> before the call.</para>
/// <para>The CUDA context the stream belongs to must be current on the calling thread (ILGPU makes its
/// accelerator's context current on the thread that created it; <c>Accelerator.Bind()</c> does it on another).
/// A handle may not be used from two threads at once. Dispose this object before the ILGPU accelerator
/// that owns the stream.</para>
/// </remarks>
internal sealed unsafe class CudaDenseLinearAlgebra : IDisposable
{
    private nint _cublas;
    private nint _cusolver;

    /// <summary>
    /// Loads cuBLAS/cuSOLVER (see <see cref="CudaLibraryResolver"/>), creates both handles and binds them to
    /// <paramref name="stream"/> (a <c>CUstream</c>/<c>cudaStream_t</c>, e.g. ILGPU's <c>CudaStream.StreamPtr</c>;
    /// <see cref="nint.Zero"/> is the legacy default stream).
    /// </summary>
    /// <exception cref="CudaException">The libraries cannot be loaded, or a handle cannot be created.</exception>
    public CudaDenseLinearAlgebra(nint stream)
    {
        if (!CudaLibraryResolver.TryLoad(out var reason))
            throw new CudaException($"cuBLAS/cuSOLVER unavailable: {reason}");
        Stream = stream;
        try
        {
            CudaStatus.CheckCublas(CublasNative.cublasCreate_v2(out _cublas), "cublasCreate_v2");
            CudaStatus.CheckCublas(CublasNative.cublasSetStream_v2(_cublas, stream), "cublasSetStream_v2");
            CudaStatus.CheckCusolver(CusolverNative.cusolverDnCreate(out _cusolver), "cusolverDnCreate");
            CudaStatus.CheckCusolver(CusolverNative.cusolverDnSetStream(_cusolver, stream), "cusolverDnSetStream");
        }
        catch
        {
            DestroyHandles();
            throw;
        }
    }

    /// <summary>The stream both handles are bound to.</summary>
    public nint Stream { get; }

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _cublas == 0 && _cusolver == 0;

    /// <summary>
    /// <c>C = alpha·A·Aᵀ + beta·C</c> on the lower triangle of the n×n C (dsyrk, lower, no transpose);
    /// A is n×k. The strict upper triangle of C is not touched.
    /// </summary>
    public void Syrk(int n, int k, double alpha, nint a, int lda, double beta, nint c, int ldc)
    {
        ValidateSyrk(n, k, a, lda, c, ldc);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var status = CublasNative.cublasDsyrk_v2(
            _cublas, CublasNative.CUBLAS_FILL_MODE_LOWER, CublasNative.CUBLAS_OP_N, n, k,
            &alpha, a, lda, &beta, c, ldc);
        CudaStatus.CheckCublas(status, "cublasDsyrk_v2");
    }

    /// <summary>
    /// <c>C = alpha·op(A)·op(B) + beta·C</c> (dgemm): op(A) is m×k, op(B) is k×n, C is m×n; op transposes when
    /// <paramref name="transA"/> / <paramref name="transB"/> is set.
    /// </summary>
    public void Gemm(
        bool transA, bool transB, int m, int n, int k,
        double alpha, nint a, int lda, nint b, int ldb, double beta, nint c, int ldc)
    {
        ValidateGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var status = CublasNative.cublasDgemm_v2(
            _cublas,
            transA ? CublasNative.CUBLAS_OP_T : CublasNative.CUBLAS_OP_N,
            transB ? CublasNative.CUBLAS_OP_T : CublasNative.CUBLAS_OP_N,
            m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc);
        CudaStatus.CheckCublas(status, "cublasDgemm_v2");
    }

    /// <summary>
    /// Solves <c>L·X = B</c> in place of the m×n B (dtrsm: left, lower, no transpose, non-unit diagonal,
    /// alpha = 1); L is the m×m lower triangle at <paramref name="l"/> (its upper triangle is not read).
    /// </summary>
    public void TrsmLowerLeft(int m, int n, nint l, int ldl, nint b, int ldb)
    {
        ValidateTrsm(m, n, l, ldl, b, ldb);
        Trsm(CublasNative.CUBLAS_SIDE_LEFT, CublasNative.CUBLAS_OP_N, m, n, l, ldl, b, ldb);
    }

    /// <summary>
    /// Solves <c>X·Lᵀ = B</c> in place of the m×n B (dtrsm: right, lower, transposed, non-unit diagonal,
    /// alpha = 1); L is the n×n lower triangle at <paramref name="l"/>: the panel step of a blocked Cholesky.
    /// </summary>
    public void TrsmLowerRightTransposed(int m, int n, nint l, int ldl, nint b, int ldb)
    {
        ValidateTrsm(n, m, l, ldl, b, ldb, rowsOfB: m);
        Trsm(CublasNative.CUBLAS_SIDE_RIGHT, CublasNative.CUBLAS_OP_T, m, n, l, ldl, b, ldb);
    }

    /// <summary>dtrsm with a lower, non-unit L and alpha = 1 on the m×n B, the side and transposition given.</summary>
    private void Trsm(int side, int transpose, int m, int n, nint l, int ldl, nint b, int ldb)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        double one = 1.0;
        var status = CublasNative.cublasDtrsm_v2(
            _cublas, side, CublasNative.CUBLAS_FILL_MODE_LOWER, transpose, CublasNative.CUBLAS_DIAG_NON_UNIT, m, n, &one, l, ldl, b, ldb);
        CudaStatus.CheckCublas(status, "cublasDtrsm_v2");
    }

    /// <summary>
    /// The workspace <see cref="Potrf"/> needs for an n×n matrix, in doubles (allocate
    /// <c>8·result</c> bytes). The matrix at <paramref name="a"/> is not read.
    /// </summary>
    public int PotrfWorkspaceSize(int n, nint a, int lda)
    {
        ValidateSquare(nameof(n), n, nameof(a), a, nameof(lda), lda);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var status = CusolverNative.cusolverDnDpotrf_bufferSize(
            _cusolver, CublasNative.CUBLAS_FILL_MODE_LOWER, n, a, lda, out var lwork);
        CudaStatus.CheckCusolver(status, "cusolverDnDpotrf_bufferSize");
        return lwork;
    }

    /// <summary>
    /// Cholesky factorisation <c>A = L·Lᵀ</c> in place of the lower triangle of the n×n A (dpotrf, lower);
    /// the strict upper triangle is neither read nor written. <paramref name="workspace"/> holds
    /// <paramref name="lwork"/> doubles (<see cref="PotrfWorkspaceSize"/>).
    /// </summary>
    /// <remarks>
    /// The outcome is left in the device int at <paramref name="devInfo"/>, for the caller to copy back after
    /// the stream is synchronised: 0 is success; <c>i &gt; 0</c> means the leading minor of order i is not
    /// positive definite and the factorisation stopped there (add jitter and retry); <c>i &lt; 0</c> means
    /// argument <c>-i</c> was wrong. A non-success status (an invalid argument caught on the host, a launch
    /// failure) throws at once.
    /// </remarks>
    public void Potrf(int n, nint a, int lda, nint workspace, int lwork, nint devInfo)
    {
        ValidateSquare(nameof(n), n, nameof(a), a, nameof(lda), lda);
        ValidateWorkspace(workspace, lwork, devInfo);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var status = CusolverNative.cusolverDnDpotrf(
            _cusolver, CublasNative.CUBLAS_FILL_MODE_LOWER, n, a, lda, workspace, lwork, devInfo);
        CudaStatus.CheckCusolver(status, "cusolverDnDpotrf");
    }

    /// <summary>
    /// Solves <c>A·X = B</c> in place of the n×nrhs B with the lower Cholesky factor of A that
    /// <see cref="Potrf"/> left at <paramref name="l"/> (dpotrs, lower). <paramref name="devInfo"/> receives
    /// 0, or <c>-i</c> if argument i was wrong.
    /// </summary>
    public void Potrs(int n, int nrhs, nint l, int lda, nint b, int ldb, nint devInfo)
    {
        ValidateSquare(nameof(n), n, nameof(l), l, nameof(lda), lda);
        ArgumentOutOfRangeException.ThrowIfNegative(nrhs);
        ValidateLeading(nameof(ldb), ldb, n);
        if (n > 0 && nrhs > 0)
            RequirePointer(b, nameof(b));
        RequirePointer(devInfo, nameof(devInfo));
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var status = CusolverNative.cusolverDnDpotrs(
            _cusolver, CublasNative.CUBLAS_FILL_MODE_LOWER, n, nrhs, l, lda, b, ldb, devInfo);
        CudaStatus.CheckCusolver(status, "cusolverDnDpotrs");
    }

    /// <summary>
    /// The workspace <see cref="SymmetricEigen"/> needs for an n×n matrix, in doubles (allocate
    /// <c>8·result</c> bytes). Neither the matrix at <paramref name="a"/> nor <paramref name="w"/> is read.
    /// </summary>
    public int SymmetricEigenWorkspaceSize(int n, nint a, int lda, nint w)
    {
        ValidateSymmetricEigen(n, a, lda, w);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var status = CusolverNative.cusolverDnDsyevd_bufferSize(
            _cusolver, CusolverNative.CUSOLVER_EIG_MODE_VECTOR, CublasNative.CUBLAS_FILL_MODE_LOWER, n, a, lda, w, out var lwork);
        CudaStatus.CheckCusolver(status, "cusolverDnDsyevd_bufferSize");
        return lwork;
    }

    /// <summary>
    /// Eigendecomposition <c>A = V·Λ·Vᵀ</c> of the symmetric n×n A whose lower triangle is at
    /// <paramref name="a"/> (dsyevd, vectors, lower): the n eigenvalues ascending into <paramref name="w"/>,
    /// the orthonormal eigenvectors over A (column j for eigenvalue j). <paramref name="workspace"/> holds
    /// <paramref name="lwork"/> doubles (<see cref="SymmetricEigenWorkspaceSize"/>).
    /// </summary>
    /// <remarks>
    /// The outcome is left in the device int at <paramref name="devInfo"/>, for the caller to copy back after
    /// the stream is synchronised: 0 is success; <c>i &gt; 0</c> means i off-diagonal elements of the
    /// tridiagonal form did not converge to zero; <c>i &lt; 0</c> means argument <c>-i</c> was wrong.
    /// </remarks>
    public void SymmetricEigen(int n, nint a, int lda, nint w, nint workspace, int lwork, nint devInfo)
    {
        ValidateSymmetricEigen(n, a, lda, w);
        ValidateWorkspace(workspace, lwork, devInfo);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var status = CusolverNative.cusolverDnDsyevd(
            _cusolver, CusolverNative.CUSOLVER_EIG_MODE_VECTOR, CublasNative.CUBLAS_FILL_MODE_LOWER, n, a, lda, w, workspace, lwork, devInfo);
        CudaStatus.CheckCusolver(status, "cusolverDnDsyevd");
    }

    /// <summary>
    /// Destroys both handles. A failure to destroy is reported as <see cref="CudaException"/> once both
    /// have been attempted; a second call does nothing.
    /// </summary>
    public void Dispose()
    {
        if (IsDisposed)
            return;
        var (cusolverStatus, cublasStatus) = DestroyHandles();
        CudaStatus.CheckCusolver(cusolverStatus, "cusolverDnDestroy");
        CudaStatus.CheckCublas(cublasStatus, "cublasDestroy_v2");
    }

    private (int Cusolver, int Cublas) DestroyHandles()
    {
        int cusolverStatus = CudaStatus.Success, cublasStatus = CudaStatus.Success;
        if (_cusolver != 0)
        {
            cusolverStatus = CusolverNative.cusolverDnDestroy(_cusolver);
            _cusolver = 0;
        }
        if (_cublas != 0)
        {
            cublasStatus = CublasNative.cublasDestroy_v2(_cublas);
            _cublas = 0;
        }
        return (cusolverStatus, cublasStatus);
    }

    // ---- argument checks (pure; the same rules cuBLAS/cuSOLVER apply, reported before the call) ----

    internal static void ValidateSyrk(int n, int k, nint a, int lda, nint c, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ValidateLeading(nameof(lda), lda, n);
        ValidateLeading(nameof(ldc), ldc, n);
        if (n > 0)
        {
            RequirePointer(c, nameof(c));
            if (k > 0)
                RequirePointer(a, nameof(a));
        }
    }

    internal static void ValidateGemm(
        bool transA, bool transB, int m, int n, int k, nint a, int lda, nint b, int ldb, nint c, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ValidateLeading(nameof(lda), lda, transA ? k : m);
        ValidateLeading(nameof(ldb), ldb, transB ? n : k);
        ValidateLeading(nameof(ldc), ldc, m);
        if (m > 0 && n > 0)
        {
            RequirePointer(c, nameof(c));
            if (k > 0)
            {
                RequirePointer(a, nameof(a));
                RequirePointer(b, nameof(b));
            }
        }
    }

    /// <summary>A triangle of order <paramref name="m"/> and a B of <paramref name="rowsOfB"/> rows (m for a left solve) and the other side's extent.</summary>
    internal static void ValidateTrsm(int m, int n, nint l, int ldl, nint b, int ldb, int? rowsOfB = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ValidateLeading(nameof(ldl), ldl, m);
        ValidateLeading(nameof(ldb), ldb, rowsOfB ?? m);
        if (m > 0 && n > 0)
        {
            RequirePointer(l, nameof(l));
            RequirePointer(b, nameof(b));
        }
    }

    /// <summary>A cuSOLVER workspace of lwork ≥ 0 doubles (a pointer when lwork &gt; 0) and the device int for its outcome.</summary>
    internal static void ValidateWorkspace(nint workspace, int lwork, nint devInfo)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lwork);
        if (lwork > 0)
            RequirePointer(workspace, nameof(workspace));
        RequirePointer(devInfo, nameof(devInfo));
    }

    internal static void ValidateSymmetricEigen(int n, nint a, int lda, nint w)
    {
        ValidateSquare(nameof(n), n, nameof(a), a, nameof(lda), lda);
        if (n > 0)
            RequirePointer(w, nameof(w));
    }

    internal static void ValidateSquare(string nName, int n, string aName, nint a, string ldName, int ld)
    {
        if (n < 0)
            throw new ArgumentOutOfRangeException(nName, n, "The order must not be negative.");
        ValidateLeading(ldName, ld, n);
        if (n > 0)
            RequirePointer(a, aName);
    }

    internal static void ValidateLeading(string name, int ld, int rows)
    {
        if (ld < Math.Max(1, rows))
            throw new ArgumentOutOfRangeException(name, ld, $"The leading dimension must be at least max(1, {rows}).");
    }

    private static void RequirePointer(nint pointer, string name)
    {
        if (pointer == 0)
            throw new ArgumentException("A device pointer is null.", name);
    }
}
