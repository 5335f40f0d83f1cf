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
    public CpuBackend(IHostLinearAlgebra linearAlgebra)
    {
        LinearAlgebra = linearAlgebra;
        Name = $"CPU ({Environment.ProcessorCount} threads, {linearAlgebra.Name})";
    }

    public IHostLinearAlgebra LinearAlgebra { get; }

    public string Name { get; }

    public Matrix<double> Kernel(CompiledNetwork network, Matrix<double> x1, Matrix<double>? x2, KernelKind kind, IProgress<StageProgress>? progress)
    {
        var view = HostKernelMap.View(network, QuadratureRules.DefaultOrder);
        int n1 = x1.RowCount, d = x1.ColumnCount;
        double[] a = x1.ToColumnMajorArray();
        if (x2 is null)
        {
            var gram = new double[(long)n1 * n1];
            LinearAlgebra.SymmetricRankK(n1, d, 1.0 / d, a, gram);

            // q⁰ from the Gram's own diagonal, so that c = k12/√(k11k22) is exactly 1 there:
            // arccos is steep at 1, and a rounding difference would show in deep kernels.
            double[] inputVariances = HostKernelMap.Diagonal(gram, n1);
            var tables = HostKernelMap.Tables(view, inputVariances, LookupTableMode.Auto);
            var diagonal = HostKernelMap.Diagonals(view, inputVariances, kind, tables);
            HostKernelMap.MapLowerTriangle(view, gram, n1, diagonal.LayerVariances, kind, new ProgressCounter(progress, Stage.LayerMap, (double)n1 * (n1 + 1) / 2), tables);
            HostKernelMap.MirrorLowerToUpper(gram, n1);
            return Matrix<double>.Build.Dense(n1, n1, gram);
        }

        double[] inputVariances1 = HostKernelMap.InputVariances(a, n1, d);
        var sharedTables = HostKernelMap.Tables(view, inputVariances1, LookupTableMode.Auto);
        var diagonal1 = HostKernelMap.Diagonals(view, inputVariances1, kind, sharedTables);
        int n2 = x2.RowCount;
        double[] b = x2.ToColumnMajorArray();
        var diagonal2 = HostKernelMap.Diagonals(view, HostKernelMap.InputVariances(b, n2, d), kind, sharedTables);
        var cross = new double[(long)n1 * n2];
        LinearAlgebra.Multiply(false, true, n1, n2, d, 1.0 / d, a, b, 0, cross);
        HostKernelMap.MapRectangle(view, cross, n1, n2, diagonal1.LayerVariances, diagonal2.LayerVariances, kind, new ProgressCounter(progress, Stage.LayerMap, (double)n1 * n2), sharedTables);
        return Matrix<double>.Build.Dense(n1, n2, cross);
    }

    public IFittedModel Fit(FitRequest request, IProgress<StageProgress>? progress) =>
        CpuFittedModel.Fit(LinearAlgebra, request, progress);

    public InputGramCache CacheInputGram(Matrix<double> x, Matrix<double>? validation) =>
        new CpuInputGram(LinearAlgebra, x, validation);

    public void Dispose()
    {
    }
}
