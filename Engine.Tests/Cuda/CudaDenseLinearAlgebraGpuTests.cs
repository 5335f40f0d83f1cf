using Xunit;
using GpuNngp.Solvers.Cuda;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace GpuNngp.Engine.Tests.Cuda;

/// <summary>
/// cuBLAS/cuSOLVER on a real GPU, device memory through ILGPU, handles on the legacy default stream
/// (<see cref="nint.Zero"/>, which is also ILGPU's default stream). Skipped, with the reason, where the
/// CUDA driver, a device or the libraries are missing.
/// </summary>
public sealed class CudaDenseLinearAlgebraGpuTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-12;

    private sealed class Gpu : IDisposable
    {
        public Gpu(Context context, CudaAccelerator accelerator)
        {
            Context = context;
            Accelerator = accelerator;
        }

        public Context Context { get; }
        public CudaAccelerator Accelerator { get; }

        public void Dispose()
        {
            Accelerator.Dispose();
            Context.Dispose();
        }
    }

    private Gpu OpenOrSkip()
    {
        CudaDriverResolver.Install(); // before ILGPU first touches its CUDA API
        if (!CudaDriverResolver.TryLoad(out var driverReason))
            Assert.Skip($"no CUDA device/driver: {driverReason}");
        var context = Context.Create(builder => builder.Cuda());
        if (context.GetCudaDevices().Count == 0)
        {
            context.Dispose();
            Assert.Skip($"no CUDA device/driver: the driver ({CudaDriverResolver.DriverLocation ?? "libcuda"}) loaded but ILGPU found no CUDA device");
        }
        if (!CudaLibraryResolver.TryLoad(out var libraryReason))
        {
            context.Dispose();
            Assert.Skip($"no cuBLAS/cuSOLVER: {libraryReason}");
        }
        var accelerator = context.CreateCudaAccelerator(0);
        output.WriteLine(
            $"device {accelerator.Name}; driver {CudaDriverResolver.DriverLocation} (fallback answered {CudaDriverResolver.FallbackHits} imports); "
            + $"cuBLAS {CudaLibraryResolver.CublasLocation}; cuSOLVER {CudaLibraryResolver.CusolverLocation}");
        return new Gpu(context, accelerator);
    }

    [Fact]
    public void PotrfAndPotrsMatchTheCpuSolution()
    {
        using var gpu = OpenOrSkip();
        const int n = 7, nrhs = 3, lda = 9; // lda > n: padding rows must be left alone
        var a = PaddedSpd(n, lda);
        var b = new double[n * nrhs];
        for (var i = 0; i < b.Length; i++)
            b[i] = Math.Sin(0.7 * i) + 0.25;

        var expectedL = CpuCholeskyLower(a, n, lda);
        var expectedX = CpuSolve(expectedL, n, lda, b, nrhs);

        using var dA = gpu.Accelerator.Allocate1D(a);
        using var dB = gpu.Accelerator.Allocate1D(b);
        using var dInfo = gpu.Accelerator.Allocate1D(new[] { -999 });
        using (var linalg = new CudaDenseLinearAlgebra(nint.Zero))
        {
            var lwork = linalg.PotrfWorkspaceSize(n, dA.NativePtr, lda);
            Assert.True(lwork >= 0);
            using var dWork = gpu.Accelerator.Allocate1D<double>(Math.Max(1, lwork));
            linalg.Potrf(n, dA.NativePtr, lda, dWork.NativePtr, lwork, dInfo.NativePtr);
            gpu.Accelerator.Synchronize();
            Assert.Equal(0, dInfo.GetAsArray1D()[0]);
            linalg.Potrs(n, nrhs, dA.NativePtr, lda, dB.NativePtr, n, dInfo.NativePtr);
            gpu.Accelerator.Synchronize();
            Assert.Equal(0, dInfo.GetAsArray1D()[0]);
        }

        var l = dA.GetAsArray1D();
        for (var j = 0; j < n; j++)
        {
            for (var i = 0; i < lda; i++)
            {
                if (i >= j && i < n)
                    AssertClose(expectedL[i + j * lda], l[i + j * lda]);
                else
                    Assert.Equal(a[i + j * lda], l[i + j * lda]); // upper triangle and padding untouched
            }
        }
        var x = dB.GetAsArray1D();
        for (var i = 0; i < x.Length; i++)
            AssertClose(expectedX[i], x[i]);
    }

    [Fact]
    public void PotrfReportsTheOrderOfTheFirstMinorThatIsNotPositiveDefinite()
    {
        using var gpu = OpenOrSkip();
        const int n = 4;
        var a = new double[n * n];
        a[0] = 4;
        a[1 + n] = 9;
        a[2 + 2 * n] = -1; // third leading minor fails
        a[3 + 3 * n] = 16;

        using var dA = gpu.Accelerator.Allocate1D(a);
        using var dInfo = gpu.Accelerator.Allocate1D(new[] { -999 });
        using var linalg = new CudaDenseLinearAlgebra(nint.Zero);
        var lwork = linalg.PotrfWorkspaceSize(n, dA.NativePtr, n);
        using var dWork = gpu.Accelerator.Allocate1D<double>(Math.Max(1, lwork));
        linalg.Potrf(n, dA.NativePtr, n, dWork.NativePtr, lwork, dInfo.NativePtr);
        gpu.Accelerator.Synchronize();

        Assert.Equal(3, dInfo.GetAsArray1D()[0]);
    }

    [Fact]
    public void SyrkGemmAndTrsmMatchTheCpu()
    {
        using var gpu = OpenOrSkip();
        const int n = 6, k = 4, m = 5;
        var x = Fill(n * k, 0.3);            // n×k
        var c0 = Fill(n * n, 1.1);           // n×n
        var bT = Fill(m * k, 0.9);           // m×k, op(B) = Bᵀ is k×m

        using var dX = gpu.Accelerator.Allocate1D(x);
        using var dC = gpu.Accelerator.Allocate1D(c0);
        using var dBt = gpu.Accelerator.Allocate1D(bT);
        using var dG = gpu.Accelerator.Allocate1D(new double[n * m]);
        using var linalg = new CudaDenseLinearAlgebra(nint.Zero);

        // syrk: C = 2·X·Xᵀ + 0.5·C0 on the lower triangle.
        linalg.Syrk(n, k, 2.0, dX.NativePtr, n, 0.5, dC.NativePtr, n);
        // gemm: G (n×m) = 1.5·X·(Bt)ᵀ, Bt is m×k.
        linalg.Gemm(false, true, n, m, k, 1.5, dX.NativePtr, n, dBt.NativePtr, m, 0.0, dG.NativePtr, n);
        gpu.Accelerator.Synchronize();

        var c = dC.GetAsArray1D();
        for (var j = 0; j < n; j++)
        {
            for (var i = 0; i < n; i++)
            {
                if (i < j)
                {
                    Assert.Equal(c0[i + j * n], c[i + j * n]);
                    continue;
                }
                var s = 0.0;
                for (var p = 0; p < k; p++)
                    s += x[i + p * n] * x[j + p * n];
                AssertClose(2.0 * s + 0.5 * c0[i + j * n], c[i + j * n]);
            }
        }
        var g = dG.GetAsArray1D();
        for (var j = 0; j < m; j++)
        {
            for (var i = 0; i < n; i++)
            {
                var s = 0.0;
                for (var p = 0; p < k; p++)
                    s += x[i + p * n] * bT[j + p * m];
                AssertClose(1.5 * s, g[i + j * n]);
            }
        }

        // trsm: L·Z = R with L the Cholesky factor of an SPD matrix.
        var spd = PaddedSpd(n, n);
        var lower = CpuCholeskyLower(spd, n, n);
        var r = Fill(n * m, 0.5); // n×m
        using var dL = gpu.Accelerator.Allocate1D(lower);
        using var dR = gpu.Accelerator.Allocate1D(r);
        linalg.TrsmLowerLeft(n, m, dL.NativePtr, n, dR.NativePtr, n);
        gpu.Accelerator.Synchronize();
        var z = dR.GetAsArray1D();
        var expected = CpuForward(lower, n, n, r, m);
        for (var i = 0; i < z.Length; i++)
            AssertClose(expected[i], z[i]);
    }

    [Fact]
    public void SymmetricEigenMatchesItsDefinitionAndTheHostLapack()
    {
        using var gpu = OpenOrSkip();
        const int n = 40, lda = 43; // lda > n: padding rows are part of the layout, not the matrix
        var a = new double[lda * n];
        for (var j = 0; j < n; j++)
        {
            for (var i = 0; i < lda; i++)
                a[i + j * lda] = i >= n ? 1e300 : i < j ? double.NaN : Math.Cos(0.37 * (i + 1) * (j + 2)) + (i == j ? 0.5 * i : 0); // upper: not read
        }

        using var dA = gpu.Accelerator.Allocate1D(a);
        using var dW = gpu.Accelerator.Allocate1D<double>(n);
        using var dInfo = gpu.Accelerator.Allocate1D(new[] { -999 });
        using (var linalg = new CudaDenseLinearAlgebra(nint.Zero))
        {
            var lwork = linalg.SymmetricEigenWorkspaceSize(n, dA.NativePtr, lda, dW.NativePtr);
            Assert.True(lwork >= 0);
            using var dWork = gpu.Accelerator.Allocate1D<double>(Math.Max(1, lwork));
            linalg.SymmetricEigen(n, dA.NativePtr, lda, dW.NativePtr, dWork.NativePtr, lwork, dInfo.NativePtr);
            gpu.Accelerator.Synchronize();
            Assert.Equal(0, dInfo.GetAsArray1D()[0]);
        }

        var w = dW.GetAsArray1D();
        var v = dA.GetAsArray1D();
        double Lower(int i, int j) => i >= j ? a[i + j * lda] : a[j + i * lda];

        // The host's LAPACK on the same lower triangle gives the same eigenvalues.
        var native = GpuNngp.Solvers.HostLinearAlgebra.Native(out var reason) ?? throw new InvalidOperationException(reason);
        using var hostA = GpuNngp.Solvers.HostBuffer.Allocate(n * n);
        for (var j = 0; j < n; j++)
        {
            for (var i = 0; i < n; i++)
                hostA[i + j * n] = Lower(i, j);
        }
        using var hostW = GpuNngp.Solvers.HostBuffer.Allocate(n);
        native.SymmetricEigen(hostA, n, hostW);

        for (var j = 0; j < n; j++)
        {
            Assert.True(Math.Abs(hostW[j] - w[j]) <= 1e-10 * n, $"eigenvalue {j}: {w[j]:R} on the GPU, {hostW[j]:R} on the host"); // entries below 21 < n: relative to ‖A‖
            for (var i = 0; i < n; i++)
            {
                double av = 0, vtv = 0;
                for (var p = 0; p < n; p++)
                {
                    av += Lower(i, p) * v[p + j * lda];
                    vtv += v[p + i * lda] * v[p + j * lda];
                }
                Assert.True(Math.Abs(av - w[j] * v[i + j * lda]) <= 1e-10 * n, $"(A·V − V·Λ)[{i}, {j}] = {av - w[j] * v[i + j * lda]:E2}");
                Assert.True(Math.Abs(vtv - (i == j ? 1 : 0)) <= 1e-10, $"(VᵀV − I)[{i}, {j}] = {vtv - (i == j ? 1 : 0):E2}");
            }
        }
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(
            Math.Abs(expected - actual) <= Tolerance * Math.Max(1.0, Math.Abs(expected)),
            $"expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):E2})");

    private static double[] Fill(int length, double phase)
    {
        var values = new double[length];
        for (var i = 0; i < length; i++)
            values[i] = Math.Cos(phase + 1.3 * i);
        return values;
    }

    // M·Mᵀ + n·I in the leading n×n block of an lda×n array; padding rows hold a marker.
    private static double[] PaddedSpd(int n, int lda)
    {
        var m = Fill(n * n, 0.2);
        var a = new double[lda * n];
        Array.Fill(a, 12345.0);
        for (var j = 0; j < n; j++)
        {
            for (var i = 0; i < n; i++)
            {
                var s = i == j ? n : 0.0;
                for (var p = 0; p < n; p++)
                    s += m[i + p * n] * m[j + p * n];
                a[i + j * lda] = s;
            }
        }
        return a;
    }

    // Lower Cholesky factor (upper triangle and padding copied from a).
    private static double[] CpuCholeskyLower(double[] a, int n, int lda)
    {
        var l = (double[])a.Clone();
        for (var j = 0; j < n; j++)
        {
            var d = l[j + j * lda];
            for (var p = 0; p < j; p++)
                d -= l[j + p * lda] * l[j + p * lda];
            d = Math.Sqrt(d);
            l[j + j * lda] = d;
            for (var i = j + 1; i < n; i++)
            {
                var s = l[i + j * lda];
                for (var p = 0; p < j; p++)
                    s -= l[i + p * lda] * l[j + p * lda];
                l[i + j * lda] = s / d;
            }
        }
        return l;
    }

    // Solves L·Y = B (forward substitution), B n×nrhs with leading dimension n.
    private static double[] CpuForward(double[] l, int n, int lda, double[] b, int nrhs)
    {
        var y = (double[])b.Clone();
        for (var c = 0; c < nrhs; c++)
        {
            for (var i = 0; i < n; i++)
            {
                var s = y[i + c * n];
                for (var p = 0; p < i; p++)
                    s -= l[i + p * lda] * y[p + c * n];
                y[i + c * n] = s / l[i + i * lda];
            }
        }
        return y;
    }

    // Solves L·Lᵀ·X = B.
    private static double[] CpuSolve(double[] l, int n, int lda, double[] b, int nrhs)
    {
        var y = CpuForward(l, n, lda, b, nrhs);
        for (var c = 0; c < nrhs; c++)
        {
            for (var i = n - 1; i >= 0; i--)
            {
                var s = y[i + c * n];
                for (var p = i + 1; p < n; p++)
                    s -= l[p + i * lda] * y[p + c * n];
                y[i + c * n] = s / l[i + i * lda];
            }
        }
        return y;
    }
}
