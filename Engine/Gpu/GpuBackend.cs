using System.Diagnostics.CodeAnalysis;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Gpu;

/// <summary>The GPU backend (being written): ILGPU kernels, cuBLAS and cuSOLVER on one stream.</summary>
internal sealed class GpuBackend : IBackend
{
    private GpuBackend() => Name = "GPU";

    public string Name { get; }

    public static bool TryCreate([NotNullWhen(true)] out GpuBackend? backend, out string reason)
    {
        backend = null;
        reason = "the GPU backend is not built in yet";
        return false;
    }

    public Matrix<double> Kernel(CompiledNetwork network, Matrix<double> x1, Matrix<double>? x2, KernelKind kind, IProgress<StageProgress>? progress) =>
        throw new NotSupportedException();

    public IFittedModel Fit(FitRequest request, IProgress<StageProgress>? progress) => throw new NotSupportedException();

    public void Dispose()
    {
    }
}
