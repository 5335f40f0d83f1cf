using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Backends;

/// <summary>
/// The rules the CPU and GPU backends once applied differently, now written once in the pipeline, on
/// two providers that share no code below the interface: the CPU provider and the device kernels on
/// ILGPU's simulator. The kernel's diagonal is the per-point chain (bit for bit on both), q⁰ of a
/// point set whose Gram is computed is that Gram's diagonal, and the jitter loop is the same.
/// </summary>
public sealed class ProviderAgreementTests
{
    private static Matrix<double> Inputs(int n, int d, int seed)
    {
        var random = new Random(seed);
        return Matrix<double>.Build.Dense(n, d, (_, _) => random.NextDouble() * 2 - 1);
    }

    [Theory]
    [InlineData(KernelKind.Ntk)]
    [InlineData(KernelKind.Nngp)]
    public void KernelDiagonal_IsThePerPointChain_BitForBit_OnBothProviders(KernelKind kind)
    {
        // ReLU's NTK is the ill-conditioned case: Ḟ has an infinite slope at c = 1.
        var network = Nngp.FullyConnected(3, Nngp.Relu(), 1.7, 0.1);
        var x = Inputs(40, 12, 3);
        using var cpu = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        using var device = new NngpEngine(new SimulatedDeviceProvider(), "simulator");
        var onCpu = cpu.Kernel(network, x, null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken);
        var onDevice = device.Kernel(network, x, null, new KernelOptions { Kind = kind }, cancellationToken: TestContext.Current.CancellationToken);

        // The chain from q⁰ = the Gram's diagonal, computed here independently of both providers.
        var gram = x * x.Transpose() / x.ColumnCount;
        var view = HostPreparation.View(network.Compile(), QuadratureRules.DefaultOrder);
        double[] chain = HostPreparation.Diagonals(view, gram.Diagonal().ToArray(), kind).Output;
        for (int i = 0; i < x.RowCount; i++)
        {
            Assert.Equal(chain[i], onCpu[i, i], 14);
            Assert.Equal(BitConverter.DoubleToInt64Bits(onCpu[i, i]), BitConverter.DoubleToInt64Bits(onDevice[i, i]));
        }

        Assert.True((onCpu - onDevice).InfinityNorm() <= 1e-12 * onCpu.InfinityNorm());
    }

    [Fact]
    public void Fit_WithDuplicatePoints_TakesTheSameJitter_AndAgrees_OnBothProviders()
    {
        // Duplicated rows make K_DD singular: both providers must need, and report, the same jitter.
        var network = Nngp.FullyConnected(2, Nngp.Erf(), 1.5, 0.05);
        var half = Inputs(15, 6, 8);
        var x = half.Stack(half);
        var y = Matrix<double>.Build.Dense(30, 2, (i, c) => Math.Sin(i + c));
        using var cpu = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        using var device = new NngpEngine(new SimulatedDeviceProvider(), "simulator");
        using var onCpu = cpu.Fit(network, x, y, cancellationToken: TestContext.Current.CancellationToken);
        using var onDevice = device.Fit(network, x, y, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(onCpu.Jitter > 0);
        Assert.Equal(onCpu.Jitter, onDevice.Jitter);
        Assert.Equal(onCpu.LogMarginalLikelihood, onDevice.LogMarginalLikelihood, 8);
        var test = Inputs(7, 6, 9);
        var a = onCpu.Predict(test, cancellationToken: TestContext.Current.CancellationToken);
        var b = onDevice.Predict(test, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True((a.Mean - b.Mean).InfinityNorm() <= 1e-9);
        for (int j = 0; j < test.RowCount; j++)
        {
            Assert.Equal(a.Variance![j], b.Variance![j], 9);
        }
    }
}
