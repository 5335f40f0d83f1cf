using GpuNngp.Engine.Pipeline;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Device;
using GpuNngp.Kernels.Lookup;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace GpuNngp.Engine.Tests.Lookup;

/// <summary>
/// The tables on the device side: <see cref="TabulatedDual{TTable}"/> over <see cref="DeviceKernelTableView"/>
/// inside an ILGPU kernel, on ILGPU's CPU simulator against the host, and compiled to PTX for SM_90
/// (no GPU needed). The GPU backend's own map kernels can take the table view the same way.
/// </summary>
public sealed class LookupDeviceTests
{
    /// <summary>Entry (index mod n, index / n) of an n×n column-major Gram through the tabulated recursion.</summary>
    internal static void MapEntries(
        Index1D index, ArrayView<double> matrix, int n, DeviceNetworkView network, DeviceKernelTableView tables, DeviceDiagonalView diagonal, KernelKind kind)
    {
        int row = index % n;
        int column = index / n;
        matrix[index] = LayerRecursion.Entry(network, new TabulatedDual<DeviceKernelTableView>(tables), matrix[index], diagonal, row, diagonal, column, kind);
    }

    [Theory]
    [InlineData(KernelKind.Nngp)]
    [InlineData(KernelKind.Ntk)]
    public void TabulatedMap_OnTheSimulator_EqualsTheHost(KernelKind kind)
    {
        const int n = 12;
        const int order = QuadratureRules.DefaultOrder;
        var compiled = Nngp.Serial(
            Nngp.Dense(0.6, 0.1), Nngp.Tanh(), Nngp.Dense(0.6, 0.1), Nngp.Relu(), Nngp.Dense(1.5, 0.1), Nngp.Tanh(), Nngp.Dense(0.6, 0.1)).Compile();
        var host = HostPreparation.View(compiled, order);
        var random = new Random(5);
        var points = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 6).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();
        foreach (var p in points)
        {
            double norm = Math.Sqrt(p.Sum(v => v * v) / p.Length);
            for (int i = 0; i < p.Length; i++)
            {
                p[i] /= norm;
            }
        }

        // The last point has twice the norm: off the tables, so the kernel's fallback path runs too.
        for (int i = 0; i < 6; i++)
        {
            points[n - 1][i] *= Math.Sqrt(2);
        }

        var gram = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                gram[j * n + i] = points[i].Zip(points[j], (a, b) => a * b).Sum() / 6;
            }
        }

        double[] q0 = TestMatrices.Diagonal(gram, n);
        var tables = KernelLookupTable.Build(host, 1.0);
        var (variances, _) = HostPreparation.Diagonals(host, q0, kind, tables);
        var hostDiagonal = new HostDiagonalView(variances, n);
        var expected = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                expected[j * n + i] = LayerRecursion.Entry(host, new TabulatedDual<HostKernelTableView>(tables.View), gram[j * n + i], hostDiagonal, i, hostDiagonal, j, kind);
            }
        }

        using var context = DeviceContexts.Create(builder => builder.CPU());
        using var accelerator = context.CreateCPUAccelerator(0);
        var rule = QuadratureRules.Get(order);
        using var dMatrix = accelerator.Allocate1D(gram);
        using var dVariances = accelerator.Allocate1D(variances);
        using var dLayers = accelerator.Allocate1D(compiled.Layers.ToArray());
        using var dNodes = accelerator.Allocate1D(rule.Nodes);
        using var dWeights = accelerator.Allocate1D(rule.Weights);
        using var dTableLayers = accelerator.Allocate1D(tables.Layers);
        using var dCoefficients = accelerator.Allocate1D(tables.Coefficients);
        var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, DeviceNetworkView, DeviceKernelTableView, DeviceDiagonalView, KernelKind>(MapEntries);
        kernel(
            n * n,
            dMatrix.View,
            n,
            new DeviceNetworkView(compiled.Input, dLayers.View, compiled.Depth, dNodes.View, dWeights.View, rule.Order, rule.Method),
            new DeviceKernelTableView(dTableLayers.View, dCoefficients.View),
            new DeviceDiagonalView(dVariances.View, n),
            kind);
        accelerator.Synchronize();
        double[] actual = dMatrix.GetAsArray1D();

        for (int i = 0; i < actual.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-13 * Math.Abs(expected[i]) + 1e-15);
        }
    }

    [Fact]
    public void TabulatedMap_CompilesToPtxForSm90()
    {
        var method = new Action<Index1D, ArrayView<double>, int, DeviceNetworkView, DeviceKernelTableView, DeviceDiagonalView, KernelKind>(MapEntries).Method;
        using var context = DeviceContexts.Create(builder => builder);
        var architecture = CudaArchitecture.SM_90;
        var instructionSet = CudaAccelerator.GetInstructionSet(architecture, CudaDriverVersion.FromMajorMinor(12, 8));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, instructionSet, nvvmAPI: null);

        var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), KernelSpecialization.Empty);

        Assert.Contains($".entry {compiled.Name}", compiled.PTXAssembly, StringComparison.Ordinal);
        Assert.Contains("f64", compiled.PTXAssembly, StringComparison.Ordinal);
    }
}
