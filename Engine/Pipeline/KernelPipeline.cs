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
            return Slices(plan, options) is { } program
                ? Convolutional(provider, program, x1, x2, options, step)
                : ReferenceKernel.Compute(plan, x1, x2, options.Kind);
        }

        var view = HostPreparation.View(plan.FusedChain.Network, options.QuadratureOrder);
        int n1 = x1.RowCount, d = x1.ColumnCount;
        double[] a = HostPreparation.ColumnMajor(x1);
        using var dA = provider.Upload(a, "the first inputs");
        return x2 is null ? Square(provider, view, dA, n1, d, step) : Rectangle(provider, view, a, dA, n1, x2, step);
    }

    /// <summary>
    /// K(X1, X2) and Θ(X1, X2) (or the squares) at once, for the NTK regime's training dynamics, which
    /// needs both: a convolutional plan's slices carry K and Θ together, so one pass gives both;
    /// otherwise the fused map and the reference compute one kind per pass, and it takes two.
    /// </summary>
    public static (HostMatrix Nngp, HostMatrix Ntk) ComputeBoth(
        IComputeProvider provider, LayerPlan plan, Matrix<double> x1, Matrix<double>? x2, KernelOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        if (Slices(plan, options) is { } program)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = new Step(KernelKind.Ntk, options.Lookup, options.Progress, options.Parallelism(cancellationToken));
            HostMatrix[] both = Convolutional(provider, program, x1, x2, options, step, [KernelKind.Nngp, KernelKind.Ntk]);
            return (both[0], both[1]);
        }

        HostMatrix nngp = Compute(provider, plan, x1, x2, options with { Kind = KernelKind.Nngp }, cancellationToken);
        try
        {
            return (nngp, Compute(provider, plan, x1, x2, options with { Kind = KernelKind.Ntk }, cancellationToken));
        }
        catch
        {
            nngp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// K(x, x) (Θ(x, x) for the NTK) of every row of <paramref name="x"/>, without the N × N kernel:
    /// the fused chain's per-point recursion, a convolutional plan's own runs (one per point), or the
    /// reference kernel against one column (its row variances are the points' own).
    /// </summary>
    public static double[] Diagonal(IComputeProvider provider, LayerPlan plan, Matrix<double> x, KernelOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        if (x.RowCount == 0)
        {
            return [];
        }

        if (plan.FusedChain is { } chain)
        {
            var view = HostPreparation.View(chain.Network, options.QuadratureOrder);
            double[] inputs = HostPreparation.ColumnMajor(x);
            return HostPreparation.Diagonals(view, HostPreparation.InputVariances(inputs, x.RowCount, x.ColumnCount), options.Kind).Output;
        }

        if (Slices(plan, options) is { } program)
        {
            using var run = new SpatialKernelRun(provider, program, options.Kind, options.QuadratureOrder, options.Precision);
            return run.Diagonal(run.Points(x, "inputs"));
        }

        KernelRecord record = ReferenceKernel.Record(plan, x, x.SubMatrix(0, 1, 0, x.ColumnCount), options.Kind);
        return (options.Kind == KernelKind.Ntk ? record.RowNtkDiagonal : record.RowVariance).ToArray();
    }

    /// <summary>The slice program of a convolutional plan (none for a fused dense chain, nor where a layer has no slice form: the reference computes those).</summary>
    private static SliceProgram? Slices(LayerPlan plan, KernelOptions options) =>
        plan.FusedChain is null ? SliceProgram.TryCompile(plan, QuadratureRules.Get(options.QuadratureOrder)) : null;

    /// <summary>What every stage of one kernel call shares: the kind, the lookup choice, where progress goes, the loops' options.</summary>
    private sealed record Step(KernelKind Kind, LookupTableMode Lookup, IProgress<StageProgress>? Progress, ParallelOptions Parallelism)
    {
        public ProgressCounter Counter(double total) => new(Progress, Stage.LayerMap, total, Parallelism);
    }

    /// <summary>A convolutional plan's kernel, block by block into host memory; the square's diagonal is each point's own run.</summary>
    private static HostMatrix Convolutional(
        IComputeProvider provider, SliceProgram program, Matrix<double> x1, Matrix<double>? x2, KernelOptions options, Step step) =>
        Convolutional(provider, program, x1, x2, options, step, [step.Kind])[0];

    /// <summary>The kernels of <paramref name="kinds"/> (the step's kind computes them: NTK for both) from the same blocks.</summary>
    private static HostMatrix[] Convolutional(
        IComputeProvider provider, SliceProgram program, Matrix<double> x1, Matrix<double>? x2, KernelOptions options, Step step, KernelKind[] kinds)
    {
        using var run = new SpatialKernelRun(provider, program, step.Kind, options.QuadratureOrder, options.Precision);
        SpatialPoints rows = run.Points(x1, "first inputs");
        SpatialPoints? columns = x2 is null ? null : run.Points(x2, "second inputs");
        int n = rows.Count, m = columns?.Count ?? n;
        var results = new HostMatrix[kinds.Length];
        try
        {
            for (int r = 0; r < kinds.Length; r++)
            {
                results[r] = HostMatrix.Allocate(n, m);
            }

            var counter = step.Counter(columns is null ? (double)n * (n + 1) / 2 : (double)n * m);
            run.Blocks(rows, columns, counter, (start, block) =>
            {
                for (int r = 0; r < kinds.Length; r++)
                {
                    SpatialKernelRun.Values(block, kinds[r]).Span.CopyTo(results[r].Storage.Slice(ColumnMajor.ColumnStart(start, n), checked((int)ColumnMajor.Count(n, block.Columns))));
                }
            });
            if (columns is null)
            {
                for (int r = 0; r < kinds.Length; r++)
                {
                    double[] diagonal = run.Diagonal(rows, kinds[r]);
                    for (int i = 0; i < n; i++)
                    {
                        results[r].Storage[ColumnMajor.Index(i, i, n)] = diagonal[i];
                    }

                    SymmetricTriangles.MirrorLowerToUpper(results[r].Storage, n);
                }
            }

            counter.Complete();
            return results;
        }
        catch
        {
            foreach (HostMatrix? result in results)
            {
                result?.Dispose();
            }

            throw;
        }
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
