using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.MonteCarlo;
using GpuNngp.Engine.Tests.Backends;
using GpuNngp.Engine.Tests.MonteCarlo;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Device;
using GpuNngp.Solvers;
using ILGPU.Runtime.CPU;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Gpu;

/// <summary>
/// The Monte Carlo sampler's device path — its elementwise steps as ILGPU kernels between the
/// provider's gemms, the weights drawn on the host from the same seeded generators — against the CPU
/// path: on ILGPU's CPU simulator (every layer kind, NNGP and NTK, ≤ 1e-9 relative), through the
/// engine on a simulated device provider, and on a real GPU where one is usable (skipped otherwise,
/// with the reason). Also the device erf against MathNet's: erf to 1e-15, erfc to 1e-14 relative
/// (+ 1e-15 below x = 2, where it is 1 − erf).
/// </summary>
public sealed class MonteCarloDeviceTests
{
    public static TheoryData<string, KernelKind> Cases()
    {
        var data = new TheoryData<string, KernelKind>();
        foreach (string name in SampledCnns.Names)
        {
            data.Add(name, KernelKind.Nngp);
            data.Add(name, KernelKind.Ntk);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SimulatorKernels_AgreeWithTheCpu(string name, KernelKind kind)
    {
        using var context = DeviceContexts.Create(builder => builder.CPU(new CPUDevice(32, 8, 1)));
        using var accelerator = context.CreateCPUAccelerator(0);
        var kernels = new GpuKernels(accelerator);
        Compare(accelerator, kernels, SampledCnns.Build(name), kind, SampledCnns.Width, name);
    }

    /// <summary>The device operations over <paramref name="accelerator"/> and the host's on one network: the estimates agree to 1e-9 of the largest entry.</summary>
    internal static void Compare(CPUAccelerator accelerator, GpuKernels kernels, Network network, KernelKind kind, int width, string what)
    {
        var ct = TestContext.Current.CancellationToken;
        Matrix<double> x1 = SampledCnns.Images(network, 3, 2), x2 = SampledCnns.Images(network, 2, 3);
        var options = new MonteCarloOptions { Width = width, Samples = 2, Seed = 9, Kind = kind };
        using var device = new SimulatedDeviceProvider(accelerator, kernels);
        using var cpu = new CpuProvider(HostLinearAlgebra.Managed);
        Matrix<double> onDevice = MonteCarloEstimator.Estimate(new DeviceSampledOperations(device, accelerator, accelerator.DefaultStream, kernels), network, x1, x2, options, null, ct);
        Matrix<double> onHost = MonteCarloEstimator.Estimate(new HostSampledOperations(cpu), network, x1, x2, options, null, ct);
        double difference = (onDevice - onHost).InfinityNorm(), scale = onHost.InfinityNorm();
        Assert.True(scale > 0, $"{what}: the estimate is zero");
        Assert.True(difference <= 1e-9 * scale, FormattableString.Invariant($"{what} {kind}: device and CPU differ by {difference:G3} (largest entry {scale:G3})"));
    }

    [Fact]
    public void TheEngineOnADeviceProvider_SamplesOnTheDevice()
    {
        var ct = TestContext.Current.CancellationToken;
        Network network = SampledCnns.Build("residual");
        Matrix<double> x = SampledCnns.Images(network, 3, 4);
        var options = new MonteCarloOptions { Width = SampledCnns.Width, Samples = 2, Seed = 1, Kind = KernelKind.Ntk };
        using var simulated = new NngpEngine(new SimulatedDeviceProvider(), "simulated device");
        using var cpu = NngpEngine.Create(DeviceKind.Cpu);
        Matrix<double> a = simulated.MonteCarloKernel(network, x, null, options, ct), b = cpu.MonteCarloKernel(network, x, null, options, ct);
        Assert.True((a - b).InfinityNorm() <= 1e-9 * b.InfinityNorm(), $"the simulated device and the CPU differ by {(a - b).InfinityNorm():G3}");

        // A custom activation is a managed delegate: the device engine samples it on the host instead.
        Network custom = Nngp.FullyConnected(1, Nngp.Custom("cube", v => v * v * v, v => 3 * v * v), 1, 0.1);
        Matrix<double> flat = Matrix<double>.Build.Dense(3, 2, (i, j) => 0.3 * (i + 1) - 0.2 * j);
        Assert.Equal(cpu.MonteCarloKernel(custom, flat, null, options, ct).ToColumnMajorArray(), simulated.MonteCarloKernel(custom, flat, null, options, ct).ToColumnMajorArray());
    }

    [Theory]
    [InlineData("flatten")]
    [InlineData("gap")]
    [InlineData("residual")]
    public void OnTheGpu_TheEstimateEqualsTheCpus(string name)
    {
        var ct = TestContext.Current.CancellationToken;
        using var gpu = GpuTestSupport.CreateGpuEngine();
        using var cpu = NngpEngine.Create(DeviceKind.Cpu);
        Network network = MonteCarloCnnConvergenceTests.Build(name).OnImages(8, 8, 3);
        Matrix<double> x = SampledCnns.Images(network, 6, 5);
        foreach (KernelKind kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
        {
            var options = new MonteCarloOptions { Width = 128, Samples = 2, Seed = 2, Kind = kind };
            Matrix<double> a = gpu.MonteCarloKernel(network, x, null, options, ct), b = cpu.MonteCarloKernel(network, x, null, options, ct);
            Assert.True((a - b).InfinityNorm() <= 1e-9 * b.InfinityNorm(), $"{name} {kind}: GPU and CPU differ by {(a - b).InfinityNorm():G3}");
        }
    }

    [Fact]
    public void DeviceErf_MatchesMathNet()
    {
        double worst = 0;
        for (double v = -30; v <= 30; v += 0.00731)
        {
            double scale = Math.Max(1e-300, Math.Abs(SpecialFunctions.Erfc(v)));
            worst = Math.Max(worst, Math.Abs(ScalarErf.Erf(v) - SpecialFunctions.Erf(v)));
            Assert.True(Math.Abs(ScalarErf.Erfc(v) - SpecialFunctions.Erfc(v)) <= 1e-14 * scale + 1e-15, FormattableString.Invariant($"erfc({v}): {ScalarErf.Erfc(v):G17} vs MathNet {SpecialFunctions.Erfc(v):G17}"));
        }

        Assert.True(worst <= 1e-15, FormattableString.Invariant($"erf differs from MathNet's by {worst:G3}"));
    }
}
