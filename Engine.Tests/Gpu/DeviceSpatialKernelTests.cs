using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.Spatial;
using GpuNngp.Engine.Tests.Backends;
using GpuNngp.Engine.Tests.Spatial;
using GpuNngp.Kernels.Device;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Gpu;

/// <summary>
/// The device spatial kernel (<see cref="DeviceSpatialKernel"/>) on ILGPU's CPU simulator against
/// the CPU kernel (<see cref="HostSpatialKernel"/>, itself checked against the plan's host reference
/// in <see cref="SliceEngineTests"/>), on that test's networks: the points' chains and readouts and
/// the pairs' readouts ≤ 1e-9 of the scale, in shared and in global scratch, in one tile and in
/// several; the whole pipeline through the simulator provider; the fallback to the host for
/// activations without a device closed form; and the same on a GPU where there is one.
/// </summary>
public sealed class DeviceSpatialKernelTests : IClassFixture<GpuEngineFixture>
{
    private const double Tolerance = 1e-9;

    private readonly GpuEngineFixture _gpu;

    public DeviceSpatialKernelTests(GpuEngineFixture gpu) => _gpu = gpu;

    /// <summary>The networks of <see cref="SliceEngineTests"/> whose activations all have closed forms.</summary>
    public static TheoryData<string> DeviceNetworks => [.. SliceEngineTests.Cases.Keys.Where(name => DeviceSpatialKernel.Supports(Program(name)))];

    /// <summary>
    /// Those that run on images of at most 6×6 pixels (the simulator runs every thread of a group as a
    /// thread of the host): all but myrtle-like, whose three poolings need 8×8 (the GPU test runs it).
    /// </summary>
    public static TheoryData<string> SmallDeviceNetworks => [.. SliceEngineTests.Cases.Keys.Where(name => name != "myrtle-like" && DeviceSpatialKernel.Supports(Program(name)))];

    [Theory]
    [MemberData(nameof(SmallDeviceNetworks))]
    public void PointsAndPairs_EqualTheCpuKernel(string name)
    {
        SliceProgram program = Program(name);
        using var provider = new SimulatedDeviceProvider();
        foreach (bool ntk in new[] { false, true })
        {
            using var cpu = new HostSpatialKernel(program, ntk);
            using var device = Assert.IsType<DeviceSpatialKernel>(provider.PrepareSpatial(program, ntk));
            Compare(program, cpu, device, $"{name} {(ntk ? "NTK" : "NNGP")}");
        }
    }

    /// <summary>The global-scratch variant and tiles of one and two pairs (the tile loop's offsets), on a pooled and a residual network.</summary>
    [Theory]
    [InlineData("pool-same-stride", 1)]
    [InlineData("residual", 2)]
    public void GlobalScratchAndSmallTiles_EqualTheCpuKernel(string name, int tilePairs)
    {
        SliceProgram program = Program(name);
        using var provider = new SimulatedDeviceProvider();
        using var cpu = new HostSpatialKernel(program, ntk: true);
        using var device = Assert.IsType<DeviceSpatialKernel>(provider.PrepareSpatial(program, ntk: true));
        Assert.True(device.UsesSharedMemory); // these tiny grids fit: the test chooses the other variant
        device.UsesSharedMemory = false;
        device.TilePairs = tilePairs;
        Compare(program, cpu, device, $"{name} global, tiles of {tilePairs}");
    }

    /// <summary>The whole kernel pipeline (points, column blocks, the flat tail) through the simulator provider equals the CPU engine.</summary>
    [Theory]
    [InlineData("conv-relu-flatten")]
    [InlineData("pool-first")]
    public void SimulatorEngine_EqualsTheCpuEngine(string name)
    {
        using var device = new NngpEngine(new SimulatedDeviceProvider(), "simulator");
        EnginesAgree(device, name, rows: 3, columns: 2);
    }

    /// <summary>Quadrature activations and user delegates have no device form: the provider hands the program to the CPU kernel, and the engine's result is the CPU's.</summary>
    [Fact]
    public void ActivationsWithoutADeviceClosedForm_FallBackToTheCpuKernel()
    {
        using var provider = new SimulatedDeviceProvider();
        SliceProgram custom = Program("custom");
        Assert.False(DeviceSpatialKernel.Supports(custom));
        using (var kernel = provider.PrepareSpatial(custom, ntk: true))
        {
            Assert.IsType<HostSpatialKernel>(kernel);
        }

        var tanh = Nngp.Serial(Nngp.Conv(3, 3, 1.5, 0.1), Nngp.Tanh(), Nngp.Flatten(), Nngp.Dense(1, 0)).OnImages(3, 3, 1);
        SliceProgram program = SliceProgram.TryCompile(LayerPlan.Compile(tanh), SpatialImages.Rule) ?? throw new InvalidOperationException("no slice form");
        Assert.False(DeviceSpatialKernel.Supports(program));
        using (var kernel = provider.PrepareSpatial(program, ntk: false))
        {
            Assert.IsType<HostSpatialKernel>(kernel);
        }

        Assert.True(DeviceSpatialKernel.Supports(Program("conv-relu-gap")));
        using var cpu = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        using var device = new NngpEngine(new SimulatedDeviceProvider(), "simulator");
        var x = Images(3, new ImageShape(3, 3, 1), 8);
        Assert.Equal(cpu.Kernel(tanh, x, null, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken), device.Kernel(tanh, x, null, new KernelOptions { Kind = KernelKind.Ntk }, cancellationToken: TestContext.Current.CancellationToken));
    }

    /// <summary>The same networks on a GPU against the CPU engine (skipped where none is usable).</summary>
    [Theory]
    [MemberData(nameof(DeviceNetworks))]
    public void OnTheGpu_EqualsTheCpuEngine(string name) => EnginesAgree(_gpu.Engine, name, rows: 40, columns: 9);

    /// <summary>K(x, t) and K(x, x), NNGP and NTK, of the case's network on <paramref name="device"/> against the CPU engine.</summary>
    private static void EnginesAgree(NngpEngine device, string name, int rows, int columns)
    {
        (Network network, ImageShape shape) = SliceEngineTests.Cases[name];
        network = network.OnImages(shape.Height, shape.Width, shape.Channels);
        using var cpu = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        var x = Images(rows, shape, 5);
        var t = Images(columns, shape, 6);
        foreach (KernelKind kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            AssertClose(cpu.Kernel(network, x, t, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken), device.Kernel(network, x, t, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken), $"{name} {kind} cross");
            AssertClose(cpu.Kernel(network, x, null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken), device.Kernel(network, x, null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken), $"{name} {kind} square");
        }
    }

    /// <summary>The case's program, on its images cut to at most 6×6 pixels.</summary>
    /// <summary>The shared variant's PTX keeps the slots in shared memory, all of it within the 48 KiB a group may declare statically; the global one declares only the readout's.</summary>
    [Fact]
    public void SharedVariant_DeclaresItsSlotsInSharedMemory_Within48KiB()
    {
        long Shared(string name) => System.Text.RegularExpressions.Regex
            .Matches(PtxCompilationTests.Compile(DeviceKernelCatalog.Variants.Single(v => v.Name == name)).PTXAssembly, @"\.shared\s+\.align\s+\d+\s+\.b8\s+\S+\[(\d+)\]")
            .Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

        long shared = Shared("SpatialSlice<Shared>"), global = Shared("SpatialSlice<Global>");
        Assert.Equal(DeviceTiling.GroupSize * sizeof(double), global);
        Assert.Equal((SharedSliceScratch.Doubles + DeviceTiling.GroupSize) * sizeof(double), shared);
        Assert.True(shared <= 48 * 1024, $"{shared} bytes of shared memory");
    }

    internal static SliceProgram Program(string name)
    {
        (Network network, ImageShape shape) = SliceEngineTests.Cases[name];
        if (name != "myrtle-like")
        {
            shape = new ImageShape(Math.Min(shape.Height, 6), Math.Min(shape.Width, 6), shape.Channels);
        }

        var plan = LayerPlan.Compile(network.OnImages(shape.Height, shape.Width, shape.Channels));
        return SliceProgram.TryCompile(plan, SpatialImages.Rule) ?? throw new InvalidOperationException($"{name} has no slice form");
    }

    /// <summary>Own runs of 2 row and 2 column points, then the cross block and the lower triangle of the rows' column 1 (whose diagonal entry is a point with itself).</summary>
    internal static void Compare(SliceProgram program, ISpatialKernel cpu, ISpatialKernel device, string what)
    {
        const int n = 2;
        double[] rowImages = PointMajor(n, program.Input, 11), columnImages = PointMajor(2, program.Input, 12);
        SpatialPoints cpuRows = cpu.Points(rowImages, n), deviceRows = device.Points(rowImages, n);
        SpatialPoints cpuColumns = cpu.Points(columnImages, 2), deviceColumns = device.Points(columnImages, 2);
        AssertClose(cpuRows.Chains, deviceRows.Chains, $"{what}: the chains");
        AssertClose(cpuRows.ReadK, deviceRows.ReadK, $"{what}: K(x, x)");
        AssertClose(cpuColumns.ReadK, deviceColumns.ReadK, $"{what}: K(x′, x′)");
        if (cpuRows.ReadTheta is not null)
        {
            AssertClose(cpuRows.ReadTheta, deviceRows.ReadTheta ?? [], $"{what}: Θ(x, x)");
        }

        var progress = new ProgressCounter(null, Stage.LayerMap, 1);
        foreach (bool triangle in new[] { false, true })
        {
            (SpatialPoints columns, SpatialPoints deviceSet, int start, int count) = triangle ? (cpuRows, deviceRows, 1, 1) : (cpuColumns, deviceColumns, 0, 2);
            double[] cpuK = new double[n * count], cpuTheta = new double[n * count], deviceK = new double[n * count], deviceTheta = new double[n * count];
            cpu.Pairs(cpuRows, columns, start, count, triangle, cpuK, cpuTheta, progress);
            device.Pairs(deviceRows, deviceSet, start, count, triangle, deviceK, deviceTheta, progress);
            AssertClose(cpuK, deviceK, $"{what}: K {(triangle ? "triangle" : "cross")}");
            if (cpuRows.ReadTheta is not null)
            {
                AssertClose(cpuTheta, deviceTheta, $"{what}: Θ {(triangle ? "triangle" : "cross")}");
            }

            if (triangle)
            {
                // The pair (x₁, x₁) runs the very arithmetic of x₁'s own run (its chain holds the
                // diagonal slice's values): equal bit for bit, so c = 1 exactly where Ḟ is steepest.
                Assert.Equal(deviceRows.ReadK[1], deviceK[1]);
                Assert.Equal(deviceRows.ReadTheta?[1] ?? 0, cpuRows.ReadTheta is null ? 0 : deviceTheta[1]);
            }
        }
    }

    private static double[] PointMajor(int count, ImageShape shape, int seed)
    {
        double[] columnMajor = SpatialImages.Random(count, shape, seed);
        var images = new double[columnMajor.Length];
        for (int n = 0; n < count; n++)
        {
            for (int f = 0; f < shape.Features; f++)
            {
                images[(n * shape.Features) + f] = columnMajor[ColumnMajor.Index(n, f, count)];
            }
        }

        return images;
    }

    private static Matrix<double> Images(int count, ImageShape shape, int seed) =>
        Matrix<double>.Build.Dense(count, shape.Features, SpatialImages.Random(count, shape, seed));

    private static void AssertClose(Matrix<double> expected, Matrix<double> actual, string what) =>
        AssertClose(expected.ToColumnMajorArray(), actual.ToColumnMajorArray(), what);

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        double error = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(scale > 0 && error <= Tolerance * scale, $"{what}: max error {error:G3} of scale {scale:G3}");
    }
}
