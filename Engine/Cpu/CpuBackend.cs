using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Cpu;

/// <summary>The CPU backend: host BLAS/LAPACK for the Gram and the factorisation, parallel loops for the map.</summary>
internal sealed class CpuBackend : IBackend
{
    /// <param name="linearAlgebra">The host BLAS/LAPACK provider.</param>
    /// <param name="availableMemory">Bytes the host can still give (MemAvailable by default; null when unknown, then nothing is refused).</param>
    public CpuBackend(IHostLinearAlgebra linearAlgebra, Func<long?>? availableMemory = null)
    {
        LinearAlgebra = linearAlgebra;
        AvailableMemory = availableMemory ?? HostMemory.Available;
        Name = $"CPU ({Environment.ProcessorCount} threads, {linearAlgebra.Name})";
    }

    public IHostLinearAlgebra LinearAlgebra { get; }

    /// <summary>Where the memory plan reads how much RAM is left.</summary>
    public Func<long?> AvailableMemory { get; }

    public string Name { get; }

    public HostMatrix Kernel(CompiledNetwork network, Matrix<double> x1, Matrix<double>? x2, KernelKind kind, IProgress<StageProgress>? progress)
    {
        var view = HostKernelMap.View(network, QuadratureRules.DefaultOrder);
        int n1 = x1.RowCount, d = x1.ColumnCount;
        double[] x1ColumnMajor = x1.ToColumnMajorArray();
        using var a = HostBuffer.CopyOf(x1ColumnMajor);
        if (x2 is null)
        {
            var result = HostMatrix.Allocate(n1, n1);
            try
            {
                HostBuffer gram = result.Storage;
                LinearAlgebra.SymmetricRankK(n1, d, 1.0 / d, a, gram);

                // q⁰ from the Gram's own diagonal, so that c = k12/√(k11k22) is exactly 1 there:
                // arccos is steep at 1, and a rounding difference would show in deep kernels.
                double[] inputVariances = HostKernelMap.Diagonal(gram, n1);
                var tables = HostKernelMap.Tables(view, inputVariances, LookupTableMode.Auto);
                var diagonal = HostKernelMap.Diagonals(view, inputVariances, kind, tables);
                HostKernelMap.MapLowerTriangle(view, gram, n1, diagonal.LayerVariances, kind, new ProgressCounter(progress, Stage.LayerMap, (double)n1 * (n1 + 1) / 2), tables);
                SymmetricTriangles.MirrorLowerToUpper(gram, n1);
                return result;
            }
            catch
            {
                result.Dispose();
                throw;
            }
        }

        double[] inputVariances1 = HostKernelMap.InputVariances(x1ColumnMajor, n1, d);
        var sharedTables = HostKernelMap.Tables(view, inputVariances1, LookupTableMode.Auto);
        var diagonal1 = HostKernelMap.Diagonals(view, inputVariances1, kind, sharedTables);
        int n2 = x2.RowCount;
        double[] x2ColumnMajor = x2.ToColumnMajorArray();
        var diagonal2 = HostKernelMap.Diagonals(view, HostKernelMap.InputVariances(x2ColumnMajor, n2, d), kind, sharedTables);
        using var b = HostBuffer.CopyOf(x2ColumnMajor);
        var cross = HostMatrix.Allocate(n1, n2);
        try
        {
            LinearAlgebra.Multiply(false, true, n1, n2, d, 1.0 / d, a, b, 0, cross.Storage);
            HostKernelMap.MapRectangle(view, cross.Storage, n1, n2, diagonal1.LayerVariances, diagonal2.LayerVariances, kind, new ProgressCounter(progress, Stage.LayerMap, (double)n1 * n2), sharedTables);
            return cross;
        }
        catch
        {
            cross.Dispose();
            throw;
        }
    }

    public void CheckFitMemory(int n, int dimension, int outputs, int depth) =>
        HostMemoryPlan.CheckFit(n, dimension, outputs, depth, LinearAlgebra, AvailableMemory());

    public void CheckKernelMemory(int rows, int columns, int dimension, int depth, int hostCopies) =>
        HostMemoryPlan.CheckKernel(rows, columns, dimension, depth, hostCopies, LinearAlgebra, AvailableMemory());

    public void CheckInputGramMemory(int n, int validation, int dimension) =>
        HostMemoryPlan.CheckInputGram(n, validation, dimension, LinearAlgebra, AvailableMemory());

    public IFittedModel Fit(FitRequest request, IProgress<StageProgress>? progress) =>
        CpuFittedModel.Fit(LinearAlgebra, request, progress);

    public InputGramCache CacheInputGram(Matrix<double> x, Matrix<double>? validation) =>
        new CpuInputGram(LinearAlgebra, x, validation);

    public void Dispose()
    {
    }
}
