using GpuNngp.Engine.Computation;
using ILGPU;
using ILGPU.Runtime;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Gpu;

/// <summary>Device copies of K⁰_DD (lower triangle, column-major N×N) and K⁰_DV (N×V).</summary>
internal sealed class GpuInputGram : InputGramCache
{
    private readonly GpuDevice _device;

    public GpuInputGram(GpuDevice device, Matrix<double> train, Matrix<double>? validation)
        : base(train, validation)
    {
        _device = device;
        device.Bind();
        int n = train.RowCount, d = train.ColumnCount;
        int v = validation?.RowCount ?? 0;
        GpuMemoryPlan.CheckFit(n, d, 1, 0, device.FreeMemory());
        using var x = GpuHost.Upload(device.Accelerator, device.Stream, GpuHost.ColumnMajor(train));
        TrainGram = GpuHost.Allocate(device.Accelerator, (long)n * n, "the cached input Gram K⁰_DD");
        device.Blas.Syrk(n, d, 1.0 / d, x.NativePtr, n, 0, TrainGram.NativePtr, n);
        if (validation is not null)
        {
            using var xv = GpuHost.Upload(device.Accelerator, device.Stream, GpuHost.ColumnMajor(validation));
            ValidationGram = GpuHost.Allocate(device.Accelerator, (long)n * v, "the cached validation Gram K⁰_DV");
            device.Blas.Gemm(false, true, n, v, d, 1.0 / d, x.NativePtr, n, xv.NativePtr, v, 0, ValidationGram.NativePtr, n);
        }

        device.Synchronize();
    }

    public MemoryBuffer1D<double, Stride1D.Dense> TrainGram { get; }

    public MemoryBuffer1D<double, Stride1D.Dense>? ValidationGram { get; }

    protected override void Dispose(bool disposing)
    {
        if (!disposing || _device.Accelerator.IsDisposed)
        {
            return;
        }

        _device.Bind();
        TrainGram.Dispose();
        ValidationGram?.Dispose();
    }
}
