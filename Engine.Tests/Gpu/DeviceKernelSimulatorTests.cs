using System.Globalization;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Spatial;
using GpuNngp.Engine.Gpu;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Device;
using GpuNngp.Solvers;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Xunit;

namespace GpuNngp.Engine.Tests.Gpu;

/// <summary>
/// The ILGPU kernels on ILGPU's CPU accelerator (a simulator: slow, so the matrices are small),
/// against the CPU backend's loops. This checks the tile indexing, the triangle bounds, the shared-
/// memory reduction and the views without a GPU; the GPU tests check the real device.
/// </summary>
public sealed class DeviceKernelSimulatorTests : IDisposable
{
    private readonly Context _context;
    private readonly CPUAccelerator _accelerator;

    public DeviceKernelSimulatorTests()
    {
        // 32 threads per warp × 8 warps: groups of 256, as the map and variance kernels launch.
        _context = DeviceContexts.Create(builder => builder.CPU(new CPUDevice(32, 8, 1)));
        _accelerator = _context.CreateCPUAccelerator(0);
    }

    public void Dispose()
    {
        _accelerator.Dispose();
        _context.Dispose();
    }

    private GpuKernels Launcher() => new(_accelerator);

    public static TheoryData<string> Variants => new(DeviceKernelCatalog.Variants.Select(v => v.Name));

    /// <summary>The simulator check that launches each row of the catalog (a small case of the tests below).</summary>
    private static readonly Dictionary<string, Action<DeviceKernelSimulatorTests, GpuKernels>> Cases = new()
    {
        ["MapLowerTriangle<ClosedForm>"] = (t, k) => t.MapLowerTriangle(k, "relu", 2, KernelKind.Ntk, 70),
        ["MapLowerTriangle<Quadrature>"] = (t, k) => t.MapLowerTriangle(k, "tanh", 1, KernelKind.Ntk, 70),
        ["MapLowerTriangle<Tabulated>"] = (t, k) => t.TabulatedMaps(k, KernelKind.Nngp),
        ["MapRectangle<ClosedForm>"] = (t, k) => t.MapRectangle(k, "erf", 2, KernelKind.Ntk),
        ["MapRectangle<Quadrature>"] = (t, k) => t.MapRectangle(k, "softplus", 1, KernelKind.Ntk),
        ["MapRectangle<Tabulated>"] = (t, k) => t.TabulatedMaps(k, KernelKind.Ntk),
        ["SetDiagonal"] = (t, k) => t.Diagonal(k),
        ["CopyDiagonal"] = (t, k) => t.Diagonal(k),
        ["ColumnSumsOfSquares"] = (t, k) => t.ColumnSumsOfSquares(k, 300, 4),
        ["MirrorTriangle"] = (t, k) => t.MirrorAndRestore(k, 70),
        ["Fill<long>"] = (t, k) => t.FirstNonFinite(k, 70, "50,3,nan"),
        ["FirstNonFiniteLowerTriangle"] = (t, k) => t.FirstNonFinite(k, 300, "290,0,nan 280,0,-inf"),
        ["SpatialSlice<Shared>"] = (t, k) => t.SpatialSlices(k, "pool-then-flatten", sharedMemory: true),
        ["SpatialSlice<Global>"] = (t, k) => t.SpatialSlices(k, "pool-first", sharedMemory: false),
        ["WindowGather"] = (t, k) => t.MonteCarlo(k),
        ["WindowScatter"] = (t, k) => t.MonteCarlo(k),
        ["Bias"] = (t, k) => t.MonteCarlo(k),
        ["UnitActivation"] = (t, k) => t.MonteCarlo(k),
        ["ElementwiseProduct"] = (t, k) => t.MonteCarlo(k),
        ["Accumulate"] = (t, k) => t.MonteCarlo(k),
        ["BlockContraction"] = (t, k) => t.MonteCarlo(k),
    };

    /// <summary>The Monte Carlo sampler's NTK of a residual CNN (every one of its kernels launches) against the CPU's.</summary>
    private void MonteCarlo(GpuKernels kernels) =>
        MonteCarloDeviceTests.Compare(_accelerator, kernels, Tests.MonteCarlo.SampledCnns.Build("residual"), KernelKind.Ntk, width: 3, "residual");

    /// <summary>The device spatial kernel on a network of <see cref="Spatial.SliceEngineTests"/>, its slots in shared or global memory, against the CPU kernel.</summary>
    private void SpatialSlices(GpuKernels kernels, string name, bool sharedMemory)
    {
        var program = DeviceSpatialKernelTests.Program(name);
        using var cpu = new HostSpatialKernel(program, ntk: true);
        using var device = new DeviceSpatialKernel(_accelerator, _accelerator.DefaultStream, kernels, program, ntk: true, () => null);
        Assert.True(device.UsesSharedMemory);
        device.UsesSharedMemory = sharedMemory;
        DeviceSpatialKernelTests.Compare(program, cpu, device, name);
    }

    /// <summary>Each row of <see cref="DeviceKernelCatalog"/> runs on the simulator against the host: a new row needs a case.</summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryCatalogVariant_RunsOnTheSimulator(string name)
    {
        Assert.True(Cases.TryGetValue(name, out var check), $"no simulator case launches {name}");
        var kernels = Launcher();
        check(this, kernels);
        Assert.Contains(DeviceKernelCatalog.Variants.Single(v => v.Name == name).Kernel, kernels.Loaded);
    }

    public static TheoryData<string, int, KernelKind> Networks => new()
    {
        { "relu", 3, KernelKind.Nngp },
        { "relu", 0, KernelKind.Ntk },
        { "erf", 2, KernelKind.Ntk },
        { "tanh", 1, KernelKind.Nngp },
        { "gelu", 2, KernelKind.Nngp },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void MapLowerTriangle_MatchesTheHostMap_AndLeavesTheUpperTriangleAlone(string activation, int depth, KernelKind kind) =>
        MapLowerTriangle(Launcher(), activation, depth, kind, n: 70); // two tile rows, the second partial

    [Theory]
    [InlineData("relu", 200)] // closed form: 64×64 tiles, four tile rows
    [InlineData("softplus", 131)] // quadrature: 64×4 tiles, 16 a tile row
    public void MapLowerTriangle_CoversEveryTileRow(string activation, int n) =>
        MapLowerTriangle(Launcher(), activation, 1, KernelKind.Ntk, n);

    private void MapLowerTriangle(GpuKernels kernels, string activation, int depth, KernelKind kind, int n)
    {
        var network = Nngp.FullyConnected(depth, Nngp.ActivationByName(activation), 1.6, 0.2).Compile();
        var (gram, inputVariance) = Gram(n, 5, seed: 1);
        var hostView = HostPreparation.View(network, 16);
        var (layerVariances, _) = HostPreparation.Diagonals(hostView, inputVariance, kind);
        double[] expected = (double[])gram.Clone();
        HostKernelMap.MapLowerTriangle(hostView, expected, n, layerVariances, kind, new ProgressCounter(null, Stage.LayerMap, 1));
        double[] device = (double[])gram.Clone();
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < j; i++)
            {
                device[(long)j * n + i] = -12345; // upper triangle: must survive
            }
        }

        using var dMatrix = _accelerator.Allocate1D(device);
        using var dVariances = _accelerator.Allocate1D(layerVariances.Length > 0 ? layerVariances : [0.0]);
        using var dNetwork = new DeviceNetwork(_accelerator, _accelerator.DefaultStream, HostPreparation.View(network, 16));
        kernels.MapLowerTriangle(_accelerator.DefaultStream, dNetwork, dMatrix.View, n, new DeviceDiagonalView(dVariances.View, n), kind);
        double[] actual = dMatrix.GetAsArray1D();

        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                long index = (long)j * n + i;
                if (i < j)
                {
                    Assert.Equal(-12345, actual[index]);
                }
                else
                {
                    Assert.Equal(expected[index], actual[index], 1e-12 * Math.Max(1, Math.Abs(expected[index])));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void MapRectangle_MatchesTheHostMap(string activation, int depth, KernelKind kind) =>
        MapRectangle(Launcher(), activation, depth, kind);

    private void MapRectangle(GpuKernels kernels, string activation, int depth, KernelKind kind)
    {
        const int rows = 67, columns = 9, d = 4;
        var network = Nngp.FullyConnected(depth, Nngp.ActivationByName(activation), 1.3, 0.1).Compile();
        var random = new Random(2);
        double[] a = Enumerable.Range(0, rows * d).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] b = Enumerable.Range(0, columns * d).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] cross = CrossGram(a, rows, b, columns, d);

        var hostView = HostPreparation.View(network, 16);
        var rowDiagonal = HostPreparation.Diagonals(hostView, HostPreparation.InputVariances(a, rows, d), kind).LayerVariances;
        var columnDiagonal = HostPreparation.Diagonals(hostView, HostPreparation.InputVariances(b, columns, d), kind).LayerVariances;
        double[] expected = (double[])cross.Clone();
        HostKernelMap.MapRectangle(hostView, expected, rows, columns, rowDiagonal, columnDiagonal, kind, new ProgressCounter(null, Stage.LayerMap, 1));

        using var dMatrix = _accelerator.Allocate1D(cross);
        using var dRows = _accelerator.Allocate1D(rowDiagonal.Length > 0 ? rowDiagonal : [0.0]);
        using var dColumns = _accelerator.Allocate1D(columnDiagonal.Length > 0 ? columnDiagonal : [0.0]);
        using var dNetwork = new DeviceNetwork(_accelerator, _accelerator.DefaultStream, HostPreparation.View(network, 16));
        kernels.MapRectangle(
            _accelerator.DefaultStream, dNetwork, dMatrix.View, rows, columns,
            new DeviceDiagonalView(dRows.View, rows), new DeviceDiagonalView(dColumns.View, columns), kind);
        double[] actual = dMatrix.GetAsArray1D();

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-12 * Math.Max(1, Math.Abs(expected[i])));
        }
    }

    [Theory]
    [InlineData(300, 4)] // more rows than threads in a group, not a multiple of them
    [InlineData(7, 3)] // fewer rows than threads
    public void ColumnSumsOfSquares_MatchTheDirectSums(int rows, int columns) =>
        ColumnSumsOfSquares(Launcher(), rows, columns);

    private void ColumnSumsOfSquares(GpuKernels kernels, int rows, int columns)
    {
        var random = new Random(3);
        double[] matrix = Enumerable.Range(0, rows * columns).Select(_ => random.NextDouble() - 0.5).ToArray();
        using var dMatrix = _accelerator.Allocate1D(matrix);
        using var dTarget = _accelerator.Allocate1D(Enumerable.Repeat(-1.0, columns + 1).ToArray());
        kernels.ColumnSumsOfSquares(_accelerator.DefaultStream, dMatrix.View, rows, columns, dTarget.View);
        double[] actual = dTarget.GetAsArray1D();

        for (int j = 0; j < columns; j++)
        {
            double sum = 0;
            for (int i = 0; i < rows; i++)
            {
                sum += matrix[j * rows + i] * matrix[j * rows + i];
            }

            Assert.Equal(sum, actual[j], 1e-13 * sum);
        }

        Assert.Equal(-1, actual[columns]); // past the last column: untouched
    }

    [Theory]
    [InlineData(70)] // three block rows of 32, the last partial
    [InlineData(64)] // whole blocks only
    [InlineData(5)] // one partial block
    public void MirrorAndRestore_MatchTheHostTriangleCopies(int n) => MirrorAndRestore(Launcher(), n);

    private void MirrorAndRestore(GpuKernels kernels, int n)
    {
        var random = new Random(n);
        double[] matrix = Enumerable.Range(0, n * n).Select(_ => random.NextDouble()).ToArray();
        using var host = HostBuffer.CopyOf(matrix);
        using var dMatrix = _accelerator.Allocate1D(matrix);

        SymmetricTriangles.MirrorLowerToUpper(host, n);
        kernels.MirrorLowerToUpper(_accelerator.DefaultStream, dMatrix.View, n);
        double[] mirrored = host.ToArray();
        Assert.Equal(mirrored, dMatrix.GetAsArray1D());
        Assert.NotEqual(matrix, mirrored);

        // A fresh lower triangle (the diagonal too: it must survive), then restored from the upper one.
        for (int j = 0; j < n; j++)
        {
            for (int i = j; i < n; i++)
            {
                host[(long)j * n + i] = -random.NextDouble();
            }
        }

        double[] scrambled = host.ToArray();
        dMatrix.CopyFromCPU(scrambled);
        SymmetricTriangles.RestoreLowerFromUpper(host, n);
        kernels.RestoreLowerFromUpper(_accelerator.DefaultStream, dMatrix.View, n);
        double[] restored = host.ToArray();
        Assert.Equal(restored, dMatrix.GetAsArray1D());
        Assert.Equal(mirrored.Where((_, k) => k % n != k / n), restored.Where((_, k) => k % n != k / n));
        Assert.Equal(scrambled.Where((_, k) => k % n == k / n), restored.Where((_, k) => k % n == k / n));
    }

    /// <summary>Non-finite entries at (row, column) of an n×n matrix; those above the diagonal must be ignored.</summary>
    public static TheoryData<int, string> NonFinitePlacements => new()
    {
        { 70, "" }, // all finite
        { 70, "50,3,nan 10,5,inf 60,60,-inf" }, // the smallest index is (50, 3)
        { 70, "2,40,nan 69,69,inf" }, // above the diagonal: ignored; the last diagonal entry counts
        { 300, "290,0,nan 280,0,-inf 299,1,nan" }, // two in one column, far down (threads stride by 256)
        { 300, "0,1,inf" }, // the upper triangle only: all finite where it matters
    };

    [Theory]
    [MemberData(nameof(NonFinitePlacements))]
    public void FirstNonFiniteLowerTriangle_FindsTheSmallestIndex(int n, string placements) =>
        FirstNonFinite(Launcher(), n, placements);

    private void FirstNonFinite(GpuKernels kernels, int n, string placements)
    {
        var random = new Random(5);
        double[] matrix = Enumerable.Range(0, n * n).Select(_ => random.NextDouble() * 1e300).ToArray();
        foreach (string placement in placements.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = placement.Split(',');
            matrix[long.Parse(parts[1], CultureInfo.InvariantCulture) * n + long.Parse(parts[0], CultureInfo.InvariantCulture)] =
                double.Parse(parts[2].Replace("inf", "Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        }

        long expected = long.MaxValue;
        for (int j = 0; j < n && expected == long.MaxValue; j++)
        {
            for (int i = j; i < n; i++)
            {
                if (!double.IsFinite(matrix[(long)j * n + i]))
                {
                    expected = (long)j * n + i;
                    break;
                }
            }
        }

        using var dMatrix = _accelerator.Allocate1D(matrix);
        using var dResult = _accelerator.Allocate1D([0L, 7L]); // 0 would win an unreset min: the kernel must set it
        kernels.FirstNonFiniteLowerTriangle(_accelerator.DefaultStream, dMatrix.View, n, dResult.View);
        Assert.Equal([expected, 7L], dResult.GetAsArray1D());
    }

    [Fact]
    public void Diagonal_IsCopiedAndSet() => Diagonal(Launcher());

    private void Diagonal(GpuKernels kernels)
    {
        const int n = 5;
        double[] matrix = Enumerable.Range(0, n * n).Select(i => (double)i).ToArray();
        using var dMatrix = _accelerator.Allocate1D(matrix);
        using var dDiagonal = _accelerator.Allocate1D<double>(n);
        using var dValues = _accelerator.Allocate1D([10.0, 20, 30, 40, 50]);
        kernels.CopyDiagonal(_accelerator.DefaultStream, dMatrix.View, n, dDiagonal.View);
        Assert.Equal([0.0, 6, 12, 18, 24], dDiagonal.GetAsArray1D());
        kernels.SetDiagonal(_accelerator.DefaultStream, dMatrix.View, n, dValues.View, 0.5, 0.25);
        kernels.CopyDiagonal(_accelerator.DefaultStream, dMatrix.View, n, dDiagonal.View);
        Assert.Equal([10.75, 20.75, 30.75, 40.75, 50.75], dDiagonal.GetAsArray1D());
        Assert.Equal(1, dMatrix.GetAsArray1D()[1]);
    }

    /// <summary>
    /// The tabulated triangle and rectangle maps match the host map through the same tables (NNGP and
    /// NTK: the two tabulated rows of <see cref="EveryCatalogVariant_RunsOnTheSimulator"/> run this, the
    /// slowest simulator check, so it has no test of its own).
    /// </summary>
    private void TabulatedMaps(GpuKernels kernels, KernelKind kind)
    {
        // Inputs of one norm (x·x/d = 1), as after the paper's preprocessing: the tables apply.
        const int n = 70, columns = 9, d = 5;
        var network = Nngp.FullyConnected(2, Nngp.Tanh(), 0.6, 0.1).Compile();
        var hostView = HostPreparation.View(network, QuadratureRules.DefaultOrder);
        double[] x = Standardised(n, d, seed: 3);
        double[] others = Standardised(columns, d, seed: 4);
        var (lower, inputVariance) = Gram(x, n, d);
        double[] cross = CrossGram(x, n, others, columns, d);
        var (_, otherVariance) = Gram(others, columns, d);
        var tables = HostPreparation.Tables(hostView, inputVariance, LookupTableMode.Auto);
        Assert.NotNull(tables);

        var (variances, _) = HostPreparation.Diagonals(hostView, inputVariance, kind, tables);
        var (columnVariances, _) = HostPreparation.Diagonals(hostView, otherVariance, kind, tables);
        double[] expectedLower = (double[])lower.Clone();
        double[] expectedCross = (double[])cross.Clone();
        HostKernelMap.MapLowerTriangle(hostView, expectedLower, n, variances, kind, new ProgressCounter(null, Stage.LayerMap, 1), tables);
        HostKernelMap.MapRectangle(hostView, expectedCross, n, columns, variances, columnVariances, kind, new ProgressCounter(null, Stage.LayerMap, 1), tables);

        var stream = _accelerator.DefaultStream;
        using var dLower = _accelerator.Allocate1D(lower);
        using var dCross = _accelerator.Allocate1D(cross);
        using var dVariances = _accelerator.Allocate1D(variances);
        using var dColumnVariances = _accelerator.Allocate1D(columnVariances);
        using var dNetwork = new DeviceNetwork(_accelerator, stream, HostPreparation.View(network, QuadratureRules.DefaultOrder));
        using var dTables = new DeviceLookupTables(_accelerator, stream, tables);
        var diagonal = new DeviceDiagonalView(dVariances.View, n);
        kernels.MapLowerTriangle(stream, dNetwork, dLower.View, n, diagonal, kind, dTables);
        kernels.MapRectangle(stream, dNetwork, dCross.View, n, columns, diagonal, new DeviceDiagonalView(dColumnVariances.View, columns), kind, dTables);
        double[] actualLower = dLower.GetAsArray1D();
        double[] actualCross = dCross.GetAsArray1D();

        for (int j = 0; j < n; j++)
        {
            for (int i = j; i < n; i++)
            {
                Assert.Equal(expectedLower[j * n + i], actualLower[j * n + i], 1e-13 * Math.Max(1, Math.Abs(expectedLower[j * n + i])));
            }
        }

        for (int i = 0; i < expectedCross.Length; i++)
        {
            Assert.Equal(expectedCross[i], actualCross[i], 1e-13 * Math.Max(1, Math.Abs(expectedCross[i])));
        }

        // And the tables did the work: direct quadrature differs from them (by rounding and the
        // interpolation error, ≤ 1e-10) in the first entries below the diagonal.
        Assert.All(tables.Reports, r => Assert.True(r.Tabulated, r.Note));
        var (directVariances, _) = HostPreparation.Diagonals(hostView, inputVariance, kind);
        var directDiagonal = new HostDiagonalView(directVariances, n);
        Assert.Contains(Enumerable.Range(1, 4), i => LayerRecursion.Entry(hostView, lower[i], directDiagonal, i, directDiagonal, 0, kind) != actualLower[i]);
    }

    /// <summary>
    /// F and Ḟ of the default rule (graded Gauss–Legendre) inside an ILGPU kernel, through the view
    /// the GPU backend builds (<see cref="DeviceNetwork"/>), against the independent
    /// integration: tanh, softplus, sigmoid and swish at q ∈ {0.01, 1, 100} and an unequal pair,
    /// c ∈ {−1, −0.999, 0, 0.9, 0.999, 1}, ≤ 1e-10 of the entry's scale.
    /// </summary>
    [Theory]
    [InlineData("tanh")]
    [InlineData("softplus")]
    [InlineData("sigmoid")]
    [InlineData("swish")]
    public void DefaultQuadrature_OnTheSimulator_IsWithinTenDigitsOfTheReference(string name)
    {
        var (phi, derivative, _) = Kernels.QuadratureAccuracyTests.Case(name);
        var network = Nngp.FullyConnected(1, Nngp.ActivationByName(name), 1, 0).Compile();
        var entries = new List<(double K12, double K11, double K22)>();
        foreach (var (k11, k22) in new[] { (0.01, 0.01), (1.0, 1.0), (100.0, 100.0), (0.01, 100.0) })
        {
            foreach (double c in new[] { -1, -0.999, 0, 0.9, 0.999, 1 })
            {
                entries.Add((c * Math.Sqrt(k11 * k22), k11, k22));
            }
        }

        using var dInputs = _accelerator.Allocate1D(entries.SelectMany(e => new[] { e.K12, e.K11, e.K22 }).ToArray());
        using var dOutputs = _accelerator.Allocate1D<double>(2 * entries.Count);
        using var dNetwork = new DeviceNetwork(_accelerator, _accelerator.DefaultStream, HostPreparation.View(network, QuadratureRules.DefaultOrder));
        Assert.Equal(QuadratureMethod.GradedGaussLegendre, dNetwork.Quadrature);
        var kernel = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, DeviceNetworkView>(DualEntries);
        kernel(entries.Count, dInputs.View, dOutputs.View, dNetwork.General);
        _accelerator.Synchronize();
        double[] outputs = dOutputs.GetAsArray1D();

        for (int e = 0; e < entries.Count; e++)
        {
            var (k12, k11, k22) = entries[e];
            double scaleF = Math.Sqrt(Kernels.GaussianExpectation.Expect(x => phi(x) * phi(x), k11) * Kernels.GaussianExpectation.Expect(x => phi(x) * phi(x), k22));
            double scaleFDot = Math.Sqrt(Kernels.GaussianExpectation.Expect(x => derivative(x) * derivative(x), k11) * Kernels.GaussianExpectation.Expect(x => derivative(x) * derivative(x), k22));
            double errorF = Math.Abs(outputs[2 * e] - Kernels.QuadratureAccuracyTests.Reference(phi, phi, k12, k11, k22)) / scaleF;
            double errorFDot = Math.Abs(outputs[2 * e + 1] - Kernels.QuadratureAccuracyTests.Reference(derivative, derivative, k12, k11, k22)) / scaleFDot;
            Assert.True(
                errorF <= 1e-10 && errorFDot <= 1e-10,
                FormattableString.Invariant($"{name} k12={k12} k11={k11} k22={k22}: F error {errorF:E2}, Ḟ error {errorFDot:E2}"));
        }
    }

    /// <summary>F and Ḟ of hidden layer 0 at entry i of (k12, k11, k22) triples.</summary>
    private static void DualEntries(Index1D i, ArrayView<double> inputs, ArrayView<double> outputs, DeviceNetworkView network)
    {
        DualMoments moments = DualActivation.Evaluate(network, network.Layer(0).Activation, 0, inputs[3 * i], inputs[3 * i + 1], inputs[3 * i + 2], true);
        outputs[2 * i] = moments.F;
        outputs[2 * i + 1] = moments.FDot;
    }

    private static double[] Standardised(int points, int d, int seed)
    {
        var random = new Random(seed);
        double[] x = Enumerable.Range(0, points * d).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        for (int i = 0; i < points; i++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(k => x[k * points + i] * x[k * points + i]) / d);
            for (int k = 0; k < d; k++)
            {
                x[k * points + i] /= norm;
            }
        }

        return x;
    }

    private static (double[] Gram, double[] InputVariance) Gram(int n, int d, int seed)
    {
        var random = new Random(seed);
        double[] x = Enumerable.Range(0, n * d).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        return Gram(x, n, d);
    }

    private static (double[] Gram, double[] InputVariance) Gram(double[] x, int n, int d)
    {
        double[] gram = CrossGram(x, n, x, n, d);
        return (gram, TestMatrices.Diagonal(gram, n));
    }

    /// <summary>a·bᵀ/d for column-major a (rows×d) and b (columns×d), column-major rows×columns.</summary>
    private static double[] CrossGram(double[] a, int rows, double[] b, int columns, int d)
    {
        var gram = new double[rows * columns];
        for (int j = 0; j < columns; j++)
        {
            for (int i = 0; i < rows; i++)
            {
                double sum = 0;
                for (int k = 0; k < d; k++)
                {
                    sum += a[k * rows + i] * b[k * columns + j];
                }

                gram[j * rows + i] = sum / d;
            }
        }

        return gram;
    }
}
