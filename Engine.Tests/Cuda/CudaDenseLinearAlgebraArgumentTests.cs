using Xunit;
using GpuNngp.Solvers.Cuda;

namespace GpuNngp.Engine.Tests.Cuda;

/// <summary>The host-side argument checks that run before any cuBLAS/cuSOLVER call (no GPU needed).</summary>
public sealed class CudaDenseLinearAlgebraArgumentTests
{
    private const nint P = 0x1000; // any non-null "device pointer"

    [Fact]
    public void ValidShapesPass()
    {
        CudaDenseLinearAlgebra.ValidateSyrk(n: 4, k: 3, a: P, lda: 4, c: P, ldc: 4);
        CudaDenseLinearAlgebra.ValidateGemm(false, false, m: 4, n: 2, k: 3, a: P, lda: 4, b: P, ldb: 3, c: P, ldc: 4);
        CudaDenseLinearAlgebra.ValidateGemm(true, true, m: 4, n: 2, k: 3, a: P, lda: 3, b: P, ldb: 2, c: P, ldc: 4);
        CudaDenseLinearAlgebra.ValidateTrsm(m: 5, n: 7, l: P, ldl: 5, b: P, ldb: 6);
        CudaDenseLinearAlgebra.ValidateSquare("n", 5, "a", P, "lda", 8);
    }

    [Fact]
    public void EmptyProblemsNeedNoPointers()
    {
        CudaDenseLinearAlgebra.ValidateSyrk(n: 0, k: 0, a: 0, lda: 1, c: 0, ldc: 1);
        CudaDenseLinearAlgebra.ValidateSyrk(n: 3, k: 0, a: 0, lda: 3, c: P, ldc: 3);
        CudaDenseLinearAlgebra.ValidateGemm(false, false, m: 0, n: 5, k: 2, a: 0, lda: 1, b: 0, ldb: 2, c: 0, ldc: 1);
        CudaDenseLinearAlgebra.ValidateTrsm(m: 3, n: 0, l: 0, ldl: 3, b: 0, ldb: 3);
        CudaDenseLinearAlgebra.ValidateSquare("n", 0, "a", 0, "lda", 1);
    }

    [Fact]
    public void LeadingDimensionBelowTheRowCountIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => CudaDenseLinearAlgebra.ValidateSyrk(n: 4, k: 3, a: P, lda: 3, c: P, ldc: 4));
        Assert.Equal("lda", e.ParamName);

        // op(A) = Aᵀ is m×k, so A is k×m and lda ≥ k.
        e = Assert.Throws<ArgumentOutOfRangeException>(
            () => CudaDenseLinearAlgebra.ValidateGemm(true, false, m: 4, n: 2, k: 3, a: P, lda: 2, b: P, ldb: 3, c: P, ldc: 4));
        Assert.Equal("lda", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(
            () => CudaDenseLinearAlgebra.ValidateGemm(false, true, m: 4, n: 2, k: 3, a: P, lda: 4, b: P, ldb: 1, c: P, ldc: 4));
        Assert.Equal("ldb", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(
            () => CudaDenseLinearAlgebra.ValidateTrsm(m: 5, n: 1, l: P, ldl: 5, b: P, ldb: 4));
        Assert.Equal("ldb", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(
            () => CudaDenseLinearAlgebra.ValidateSquare("n", 0, "a", 0, "lda", 0));
        Assert.Equal("lda", e.ParamName);
    }

    [Fact]
    public void NegativeSizesAndNullPointersAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => CudaDenseLinearAlgebra.ValidateSyrk(n: -1, k: 3, a: P, lda: 1, c: P, ldc: 1));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => CudaDenseLinearAlgebra.ValidateGemm(false, false, m: 2, n: 2, k: -2, a: P, lda: 2, b: P, ldb: 1, c: P, ldc: 2));
        var e = Assert.Throws<ArgumentException>(
            () => CudaDenseLinearAlgebra.ValidateTrsm(m: 2, n: 2, l: 0, ldl: 2, b: P, ldb: 2));
        Assert.Equal("l", e.ParamName);
        e = Assert.Throws<ArgumentException>(
            () => CudaDenseLinearAlgebra.ValidateSquare("n", 3, "a", 0, "lda", 3));
        Assert.Equal("a", e.ParamName);
    }

    [Fact]
    public void SymmetricEigen_NeedsASquareMatrixAndAnEigenvalueBuffer()
    {
        CudaDenseLinearAlgebra.ValidateSymmetricEigen(n: 5, a: P, lda: 6, w: P);
        CudaDenseLinearAlgebra.ValidateSymmetricEigen(n: 0, a: 0, lda: 1, w: 0); // empty: no pointers needed

        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => CudaDenseLinearAlgebra.ValidateSymmetricEigen(n: -1, a: P, lda: 1, w: P)).ParamName);
        Assert.Equal("lda", Assert.Throws<ArgumentOutOfRangeException>(() => CudaDenseLinearAlgebra.ValidateSymmetricEigen(n: 5, a: P, lda: 4, w: P)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => CudaDenseLinearAlgebra.ValidateSymmetricEigen(n: 5, a: 0, lda: 5, w: P)).ParamName);
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => CudaDenseLinearAlgebra.ValidateSymmetricEigen(n: 5, a: P, lda: 5, w: 0)).ParamName);

        CudaDenseLinearAlgebra.ValidateWorkspace(workspace: 0, lwork: 0, devInfo: P); // no workspace needed: none given
        Assert.Equal("lwork", Assert.Throws<ArgumentOutOfRangeException>(() => CudaDenseLinearAlgebra.ValidateWorkspace(workspace: P, lwork: -1, devInfo: P)).ParamName);
        Assert.Equal("workspace", Assert.Throws<ArgumentException>(() => CudaDenseLinearAlgebra.ValidateWorkspace(workspace: 0, lwork: 8, devInfo: P)).ParamName);
        Assert.Equal("devInfo", Assert.Throws<ArgumentException>(() => CudaDenseLinearAlgebra.ValidateWorkspace(workspace: P, lwork: 8, devInfo: 0)).ParamName);
    }

    [Fact]
    public void ConstructingWithoutTheLibrariesSaysWhy()
    {
        if (CudaLibraryResolver.TryLoad(out var reason))
            return; // libraries present: the GPU tests cover construction
        var e = Assert.Throws<GpuNngp.Solvers.CudaException>(() => new CudaDenseLinearAlgebra(nint.Zero));
        Assert.Contains(reason!, e.Message, StringComparison.Ordinal);
    }
}
