using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Spatial;
using GpuNngp.Kernels;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// K(X1, X2), or K(X1, X1), inputs used exactly as given, written once over any provider: the input
/// Gram, q⁰, the lookup tables and diagonal chains on the host, the fused map, the exact diagonal
/// (square case), then the matrix to host memory. The options' quadrature, lookup tables and thread
/// cap apply; the token is checked between stages, map columns and spatial blocks.
/// </summary>
internal static class KernelPipeline
{
    public static HostMatrix Compute(
        IComputeProvider provider, LayerPlan plan, Matrix<double> x1, Matrix<double>? x2, KernelOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var step = new Step(options.Kind, options.Lookup, options.Progress, options.Parallelism(cancellationToken));
        if (plan.FusedChain is null)
        {
            return SliceProgram.TryCompile(plan, QuadratureRules.Get(options.QuadratureOrder)) is { } program
                ? Convolutional(provider, program, x1, x2, options, step)
                : ReferenceKernel.Compute(plan, x1, x2, options.Kind);
        }

        var view = HostPreparation.View(plan.FusedChain.Network, options.QuadratureOrder);
        int n1 = x1.RowCount, d = x1.ColumnCount;
        double[] a = HostPreparation.ColumnMajor(x1);
        using var dA = provider.Upload(a, "the first inputs");
        return x2 is null ? Square(provider, view, dA, n1, d, step) : Rectangle(provider, view, a, dA, n1, x2, step);
    }

    /// <summary>What every stage of one kernel call shares: the kind, the lookup choice, where progress goes, the loops' options.</summary>
    private sealed record Step(KernelKind Kind, LookupTableMode Lookup, IProgress<StageProgress>? Progress, ParallelOptions Parallelism)
    {
        public ProgressCounter Counter(double total) => new(Progress, Stage.LayerMap, total, Parallelism);
    }

    /// <summary>A convolutional plan's kernel, block by block into host memory; the square's diagonal is each point's own run.</summary>
    private static HostMatrix Convolutional(
        IComputeProvider provider, SliceProgram program, Matrix<double> x1, Matrix<double>? x2, KernelOptions options, Step step)
    {
        using var run = new SpatialKernelRun(provider, program, step.Kind, options.QuadratureOrder, options.Precision);
        SpatialPoints rows = run.Points(x1, "first inputs");
        SpatialPoints? columns = x2 is null ? null : run.Points(x2, "second inputs");
        int n = rows.Count, m = columns?.Count ?? n;
        var result = HostMatrix.Allocate(n, m);
        var counter = step.Counter(columns is null ? (double)n * (n + 1) / 2 : (double)n * m);
        run.Blocks(rows, columns, counter, (start, block) =>
            run.Values(block).Span.CopyTo(result.Storage.Slice(ColumnMajor.ColumnStart(start, n), checked((int)ColumnMajor.Count(n, block.Columns)))));
        if (columns is null)
        {
            double[] diagonal = run.Diagonal(rows);
            for (int i = 0; i < n; i++)
            {
                result.Storage[ColumnMajor.Index(i, i, n)] = diagonal[i];
            }

            SymmetricTriangles.MirrorLowerToUpper(result.Storage, n);
        }

        counter.Complete();
        return result;
    }

    private static HostMatrix Square(
        IComputeProvider provider, HostNetworkView view, ProviderBuffer inputs, int n, int d, Step step)
    {
        var result = provider.Allocate(ColumnMajor.Count(n, n), "the kernel matrix");
        try
        {
            provider.SymmetricRankK(n, d, 1.0 / d, inputs, result, step.Parallelism.CancellationToken);

            // q⁰ from the Gram's own diagonal, so that c = k12/√(k11k22) is exactly 1 there.
            double[] inputVariances = provider.Diagonal(result, n);
            step.Parallelism.CancellationToken.ThrowIfCancellationRequested();
            var tables = HostPreparation.Tables(view, inputVariances, step.Lookup);
            var diagonal = HostPreparation.Diagonals(view, inputVariances, step.Kind, tables);
            using var map = provider.PrepareMap(view, tables);
            var counter = step.Counter((double)n * (n + 1) / 2);
            provider.MapLowerTriangle(map, result, n, diagonal.LayerVariances, step.Kind, counter);
            provider.SetDiagonal(result, n, diagonal.Output, 0, 0);
            HostMatrix host = provider.ToHost(result, n, n);
            counter.Complete();
            SymmetricTriangles.MirrorLowerToUpper(host.Storage, n);
            return host;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static HostMatrix Rectangle(
        IComputeProvider provider, HostNetworkView view, double[] a, ProviderBuffer dA, int n1, Matrix<double> x2, Step step)
    {
        int n2 = x2.RowCount, d = x2.ColumnCount;
        double[] b = HostPreparation.ColumnMajor(x2);
        double[] inputVariances1 = HostPreparation.InputVariances(a, n1, d);
        var tables = HostPreparation.Tables(view, inputVariances1, step.Lookup);
        var diagonal1 = HostPreparation.Diagonals(view, inputVariances1, step.Kind, tables);
        var diagonal2 = HostPreparation.Diagonals(view, HostPreparation.InputVariances(b, n2, d), step.Kind, tables);
        using var dB = provider.Upload(b, "the second inputs");
        using var map = provider.PrepareMap(view, tables);
        var cross = provider.Allocate(ColumnMajor.Count(n1, n2), "the kernel matrix");
        try
        {
            provider.Multiply(false, true, n1, n2, d, 1.0 / d, dA, dB, 0, cross, step.Parallelism.CancellationToken);
            step.Parallelism.CancellationToken.ThrowIfCancellationRequested();
            var counter = step.Counter((double)n1 * n2);
            provider.MapRectangle(map, cross, n1, n2, diagonal1.LayerVariances, diagonal2.LayerVariances, step.Kind, counter);
            HostMatrix host = provider.ToHost(cross, n1, n2);
            counter.Complete();
            return host;
        }
        catch
        {
            cross.Dispose();
            throw;
        }
    }
}
