using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// Gradient flow on the squared loss for the infinite ensemble of infinitely wide networks (DESIGN.md
/// §8), written once over any <see cref="IComputeProvider"/>: ONE eigendecomposition Θ_DD = V·Λ·Vᵀ of
/// the training kernel (K_DD in the NNGP regime) on the provider, V kept there, and every time t a
/// function of Λ only. With s = η/(N·C), g_t(λ) = (1 − e^{−sλt})/λ and A(t) = V·g_t(Λ)·Vᵀ:
/// mean(t) = Θ_*D·A·Y; NTK regime var(t) = K_** + diag(Θ_*D·A·K_DD·A·Θ_D*) − 2·diag(Θ_*D·A·K_D*),
/// NNGP regime var(t) = K_** − diag(K_*D·V·h_t(Λ)·Vᵀ·K_D*), h_t(λ) = (1 − e^{−2sλt})/λ.
/// Eigenvalues at or below the tolerance count as 0 (g = s·t, h = 2s·t; at t = ∞ the mode is dropped).
/// The provider computes the N³ and N²·M products (the decomposition, Vᵀ·K_DD·V, Vᵀ·K_D*, the
/// per-time Kt·G·P of the NTK variance and the covariances); the O(N·M·C) per-time sums run on the host.
/// </summary>
internal sealed class DynamicsModel : IDisposable
{
    private readonly IComputeProvider _provider;
    private readonly LayerPlan _plan;
    private readonly Matrix<double> _x;
    private readonly DynamicsOptions _options;
    private readonly double[] _eigenvalues;
    private readonly double[] _projectedTargets;
    private readonly ProviderBuffer _vectors;
    private readonly ProviderBuffer? _projectedNngp;
    private readonly int _n;
    private readonly int _outputs;
    private bool _disposed;

    private DynamicsModel(
        IComputeProvider provider, LayerPlan plan, Matrix<double> x, int outputs, DynamicsOptions options, double[] eigenvalues, double[] projectedTargets,
        ProviderBuffer vectors, ProviderBuffer? projectedNngp, double zeroBelow, StageTimings timings)
    {
        _provider = provider;
        _plan = plan;
        _x = x;
        _options = options;
        _eigenvalues = eigenvalues;
        _projectedTargets = projectedTargets;
        _vectors = vectors;
        _projectedNngp = projectedNngp;
        _n = x.RowCount;
        _outputs = outputs;
        ZeroBelow = zeroBelow;
        Timings = timings;
    }

    /// <summary>Λ of the training kernel, ascending, clamped at 0.</summary>
    public IReadOnlyList<double> Eigenvalues => _eigenvalues;

    /// <summary>Eigenvalues at or below this count as zero.</summary>
    public double ZeroBelow { get; }

    public StageTimings Timings { get; }

    /// <summary>
    /// Doubles a per-time product may hold at once: the means' chunk of times (M·C·T_chunk) and twice the
    /// variances' block of test points (N·block). Tests lower it to walk the chunked loops.
    /// </summary>
    internal long ProductBudget { get; set; } = 1L << 24;

    private bool Ntk => _options.Kind == KernelKind.Ntk;

    /// <summary>s = η/(N·C), the rate time enters with.</summary>
    private double Rate => _options.LearningRate / ((double)_n * _outputs);

    /// <summary>
    /// The training kernels (with DiagReg), the decomposition of the one gradient descent follows, the
    /// projection Vᵀ·Y and, in the NTK regime, Vᵀ·K_DD·V on the provider.
    /// </summary>
    /// <exception cref="NngpInputException">The training kernel is indefinite (an eigenvalue below −tolerance·λ_max) or not finite.</exception>
    public static DynamicsModel Fit(IComputeProvider provider, LayerPlan plan, Matrix<double> x, Matrix<double> y, DynamicsOptions options, CancellationToken cancellationToken)
    {
        int n = x.RowCount;
        var timings = new StageTimings { Progress = options.Progress };
        KernelOptions kernelOptions = options;
        // The kernels' whole pipeline (input Gram, layer map, diagonal) is timed as the layer map.
        (HostMatrix nngpKernel, HostMatrix? ntkKernel) = timings.Time(Stage.LayerMap, () => options.Kind == KernelKind.Ntk
            ? KernelPipeline.ComputeBoth(provider, plan, x, null, kernelOptions, cancellationToken)
            : (KernelPipeline.Compute(provider, plan, x, null, kernelOptions with { Kind = KernelKind.Nngp }, cancellationToken), (HostMatrix?)null));
        using HostMatrix nngp = nngpKernel;
        using HostMatrix? ntk = ntkKernel;
        FiniteResults.CheckKernel(nngp);
        AddDiagonalRegulariser(nngp, options.DiagReg);
        if (ntk is not null)
        {
            FiniteResults.CheckKernel(ntk);
            AddDiagonalRegulariser(ntk, options.DiagReg);
        }

        cancellationToken.ThrowIfCancellationRequested();
        HostMatrix train = ntk ?? nngp;
        var vectors = provider.Upload(train.Storage.Slice(0, checked((int)train.Count)), "the training kernel's eigenvectors");
        ProviderBuffer? projected = null;
        try
        {
            double[] eigenvalues = timings.Time(Stage.Factorisation, () =>
            {
                using var values = provider.Allocate(n, "the eigenvalues");
                provider.SymmetricEigen(vectors, n, values);
                var host = new double[n];
                provider.CopyOut(values, 0, host);
                return host;
            });
            double zeroBelow = Clamp(eigenvalues, options.EigenvalueTolerance, ntk is null ? "K_DD" : "Θ_DD");
            cancellationToken.ThrowIfCancellationRequested();
            double[] projectedTargets = timings.Time(Stage.Solve, () =>
            {
                using var targets = provider.Upload(HostPreparation.ColumnMajor(y), "the training targets");
                using var product = provider.Allocate(ColumnMajor.Count(n, y.ColumnCount), "Vᵀ·Y");
                provider.Multiply(true, false, n, y.ColumnCount, n, 1, vectors, targets, 0, product, cancellationToken);
                var host = new double[ColumnMajor.Count(n, y.ColumnCount)];
                provider.CopyOut(product, 0, host);
                return host;
            });
            if (ntk is not null)
            {
                projected = timings.Time(Stage.Solve, () => Rotate(provider, vectors, nngp, n, cancellationToken));
            }

            return new DynamicsModel(provider, plan, x, y.ColumnCount, options, eigenvalues, projectedTargets, vectors, projected, zeroBelow, timings);
        }
        catch
        {
            projected?.Dispose();
            vectors.Dispose();
            throw;
        }
    }

    /// <summary>NT's diag_reg: reg·mean(diag) onto the diagonal (relative scale).</summary>
    private static void AddDiagonalRegulariser(HostMatrix kernel, double regulariser)
    {
        if (regulariser == 0)
        {
            return;
        }

        int n = kernel.RowCount;
        double mean = 0;
        for (int i = 0; i < n; i++)
        {
            mean += kernel.Storage[ColumnMajor.Index(i, i, n)];
        }

        double added = regulariser * mean / n;
        for (int i = 0; i < n; i++)
        {
            kernel.Storage[ColumnMajor.Index(i, i, n)] += added;
        }
    }

    /// <summary>Refuses an indefinite kernel, clamps the rest at 0 and returns the level at or below which an eigenvalue is zero.</summary>
    internal static double Clamp(double[] eigenvalues, double tolerance, string name)
    {
        double largest = Math.Max(0, eigenvalues[^1]);
        double bound = tolerance * largest;
        if (eigenvalues[0] < -bound || !double.IsFinite(eigenvalues[0]) || !double.IsFinite(eigenvalues[^1]))
        {
            throw new NngpInputException(FormattableString.Invariant(
                $"the training kernel {name} is indefinite: eigenvalue {eigenvalues[0]:G4} < −{tolerance:G3}·λ_max = {-bound:G4}; add DynamicsOptions.DiagReg"),
                "kernel");
        }

        for (int i = 0; i < eigenvalues.Length; i++)
        {
            eigenvalues[i] = Math.Max(0, eigenvalues[i]);
        }

        return bound;
    }

    /// <summary>Vᵀ·K·V (n×n) on the provider.</summary>
    private static ProviderBuffer Rotate(IComputeProvider provider, ProviderBuffer vectors, HostMatrix kernel, int n, CancellationToken cancellationToken)
    {
        using var k = provider.Upload(kernel.Storage.Slice(0, checked((int)kernel.Count)), "K_DD");
        using var kv = provider.Allocate(ColumnMajor.Count(n, n), "K_DD·V");
        provider.Multiply(false, false, n, n, n, 1, k, vectors, 0, kv, cancellationToken);
        var result = provider.Allocate(ColumnMajor.Count(n, n), "Vᵀ·K_DD·V");
        try
        {
            provider.Multiply(true, false, n, n, n, 1, vectors, kv, 0, result, cancellationToken);
            provider.Synchronize();
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>g_t(λ) = (1 − e^{−sλt})/λ, λ at or below the zero level: s·t (0 at t = ∞).</summary>
    private double[] Gain(double time, double rateFactor)
    {
        double s = Rate * rateFactor;
        var gain = new double[_n];
        for (int k = 0; k < _n; k++)
        {
            double lambda = _eigenvalues[k];
            bool zero = lambda <= ZeroBelow;
            gain[k] = double.IsPositiveInfinity(time) ? (zero ? 0 : 1 / lambda)
                : zero ? s * time
                : -ExpMinusOne(-s * lambda * time) / lambda;
        }

        return gain;
    }

    /// <summary>
    /// e^x − 1 to full relative accuracy at small |x| (Kahan's trick: the rounding of e^x cancels in
    /// (u − 1)/log u); .NET's double.ExpM1 is e^x − 1 as written, which loses digits near 0.
    /// </summary>
    internal static double ExpMinusOne(double x)
    {
        double u = Math.Exp(x);
        if (u == 1)
        {
            return x;
        }

        double um1 = u - 1;
        return um1 == -1 ? -1 : um1 * x / Math.Log(u);
    }

    /// <summary>
    /// The ensemble at <paramref name="xTest"/> at every time; the kernels once, the times from Λ. The
    /// means of all times are one provider product Pᵀ·W (W = the N × C·T gains times Vᵀ·Y), the sums
    /// over k of the variances another (per block of test points); only the NTK regime's quadratic term
    /// takes one N×N by N×M product per time. <paramref name="detail"/> <see cref="PredictionDetail.Mean"/>
    /// computes neither the NNGP cross kernel of the NTK regime nor any variance (variances come back null).
    /// </summary>
    public (Matrix<double>[] Means, double[][]? Variances, Matrix<double>[]? Covariances) Predict(
        Matrix<double> xTest, IReadOnlyList<double> times, PredictionDetail detail, StageTimings timings, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int m = xTest.RowCount;
        KernelOptions kernelOptions = _options with { Progress = null };
        bool variances = detail != PredictionDetail.Mean, covariance = detail == PredictionDetail.Covariance;
        (Projection? nngpProjection, Projection? ntkProjection) = timings.Time(Stage.TestKernel, () => CrossProjections(xTest, kernelOptions, nngp: !Ntk || variances, cancellationToken));
        using var nngpCross = nngpProjection;
        using var ntkCross = ntkProjection;
        Projection p = (ntkCross ?? nngpCross)!;
        double[][] gains = [.. times.Select(t => Gain(t, 1))];
        var means = timings.Time(Stage.Mean, () => Means(p.Buffer, m, gains, cancellationToken));
        if (!variances)
        {
            return (means, null, null);
        }

        using HostMatrix? prior = covariance
            ? timings.Time(Stage.TestKernel, () => KernelPipeline.Compute(_provider, _plan, xTest, null, kernelOptions with { Kind = KernelKind.Nngp }, cancellationToken))
            : null;
        double[] priorVariance = prior is null
            ? timings.Time(Stage.TestKernel, () => KernelPipeline.Diagonal(_provider, _plan, xTest, kernelOptions with { Kind = KernelKind.Nngp }, cancellationToken))
            : Diagonal(prior);
        return timings.Time(Stage.Variance, () => Ntk
            ? (means, NtkVariances(p, nngpCross!, m, gains, priorVariance, prior, out var ntkCovariances, cancellationToken), ntkCovariances)
            : (means, NngpVariances(nngpCross!, m, times, priorVariance, prior, out var nngpCovariances, cancellationToken), nngpCovariances));
    }

    /// <summary>mean(t) = Pᵀ·diag(g_t)·Vᵀ·Y for every time: one product per chunk of times, the chunk sized to keep M·C·T_chunk within <see cref="ProductBudget"/>.</summary>
    private Matrix<double>[] Means(ProviderBuffer p, int m, double[][] gains, CancellationToken cancellationToken)
    {
        int n = _n, c = _outputs;
        var means = new Matrix<double>[gains.Length];
        int chunk = (int)Math.Clamp(ProductBudget / Math.Max(1L, (long)m * c), 1, gains.Length);
        var weights = new double[ColumnMajor.Count(n, c * chunk)];
        using var onProvider = _provider.Allocate(weights.Length, "the gains times Vᵀ·Y");
        using var result = _provider.Allocate(ColumnMajor.Count(m, c * chunk), "the means");
        var host = new double[ColumnMajor.Count(m, c * chunk)];
        for (int first = 0; first < gains.Length; first += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(chunk, gains.Length - first);
            for (int ti = 0; ti < count; ti++)
            {
                double[] gain = gains[first + ti];
                for (int o = 0; o < c; o++)
                {
                    int column = ((ti * c) + o) * n;
                    for (int k = 0; k < n; k++)
                    {
                        weights[column + k] = gain[k] * _projectedTargets[(o * n) + k];
                    }
                }
            }

            _provider.CopyIn(onProvider, weights);
            _provider.Multiply(true, false, m, c * count, n, 1, p, onProvider, 0, result, cancellationToken);
            _provider.CopyOut(result, 0, host);
            for (int ti = 0; ti < count; ti++)
            {
                means[first + ti] = Matrix<double>.Build.Dense(m, c, host.AsSpan(ti * m * c, m * c).ToArray());
            }
        }

        return means;
    }

    /// <summary>
    /// S[j, t] = Σ_k a(k, j)·b(k, j)·w_t[k] for every test point j and time t (M × T, column-major), as
    /// provider products over blocks of test points: the elementwise product of the two host
    /// projections formed block by block, then times the N × T weights.
    /// </summary>
    private double[] WeightedSums(double[] a, double[] b, int m, double[][] weights, CancellationToken cancellationToken)
    {
        int n = _n, t = weights.Length;
        var w = new double[ColumnMajor.Count(n, t)];
        for (int ti = 0; ti < t; ti++)
        {
            weights[ti].CopyTo(w, ti * n);
        }

        using var wOnProvider = _provider.Upload(w, "the times' spectral weights");
        int block = (int)Math.Clamp(ProductBudget / 2 / n, 1, m);
        var products = new double[ColumnMajor.Count(n, block)];
        using var productsOnProvider = _provider.Allocate(products.Length, "a block of elementwise projections");
        using var blockSums = _provider.Allocate(ColumnMajor.Count(block, t), "a block's weighted sums");
        var blockHost = new double[ColumnMajor.Count(block, t)];
        var sums = new double[ColumnMajor.Count(m, t)];
        for (int j0 = 0; j0 < m; j0 += block)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(block, m - j0);
            Parallel.For(0, count, j =>
            {
                long offset = (long)(j0 + j) * n;
                for (int k = 0; k < n; k++)
                {
                    products[((long)j * n) + k] = a[offset + k] * b[offset + k];
                }
            });
            _provider.CopyIn(productsOnProvider, products);
            _provider.Multiply(true, false, count, t, n, 1, productsOnProvider, wOnProvider, 0, blockSums, cancellationToken);
            _provider.CopyOut(blockSums, 0, blockHost);
            for (int ti = 0; ti < t; ti++)
            {
                Array.Copy(blockHost, ti * count, sums, ((long)ti * m) + j0, count);
            }
        }

        return sums;
    }

    /// <summary>NNGP regime: var(t) = K_** − Σ_k q_k²·h_t[k], h = g with the rate doubled; the covariance as K_** − WᵀW, W = √h·Q.</summary>
    private double[][] NngpVariances(
        Projection q, int m, IReadOnlyList<double> times, double[] priorVariance, HostMatrix? prior, out Matrix<double>[]? covariances, CancellationToken cancellationToken)
    {
        int n = _n;
        double[][] shrinks = [.. times.Select(t => Gain(t, 2))];
        double[] explained = WeightedSums(q.Host, q.Host, m, shrinks, cancellationToken);
        var variances = new double[times.Count][];
        for (int ti = 0; ti < times.Count; ti++)
        {
            variances[ti] = [.. Enumerable.Range(0, m).Select(j => Math.Max(0, priorVariance[j] - explained[((long)ti * m) + j]))];
        }

        covariances = null;
        if (prior is not null)
        {
            covariances = new Matrix<double>[times.Count];
            var scaledHost = new double[ColumnMajor.Count(n, m)];
            using var scaled = _provider.Allocate(scaledHost.Length, "√h·Q");
            for (int ti = 0; ti < times.Count; ti++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                double[] shrink = shrinks[ti];
                Parallel.For(0, m, j =>
                {
                    for (int k = 0; k < n; k++)
                    {
                        scaledHost[(j * n) + k] = q.Host[(j * n) + k] * Math.Sqrt(shrink[k]);
                    }
                });
                _provider.CopyIn(scaled, scaledHost);
                covariances[ti] = CovarianceFrom(prior, m, result => _provider.Multiply(true, false, m, m, n, -1, scaled, scaled, 1, result, cancellationToken));
            }
        }

        return variances;
    }

    /// <summary>
    /// NTK regime: var(t) = K_** + Σ_k (G·P)∘R − 2 Σ_k (G·P)∘Q with R = (Vᵀ·K_DD·V)·G·P; the cross
    /// term for all times as one weighted sum, R per time on the provider.
    /// </summary>
    private double[][] NtkVariances(
        Projection p, Projection q, int m, double[][] gains, double[] priorVariance, HostMatrix? prior, out Matrix<double>[]? covariances, CancellationToken cancellationToken)
    {
        int n = _n;
        double[] crossTerms = WeightedSums(p.Host, q.Host, m, gains, cancellationToken);
        var variances = new double[gains.Length][];
        covariances = prior is null ? null : new Matrix<double>[gains.Length];
        using var scaled = _provider.Allocate(ColumnMajor.Count(n, m), "G·P");
        using var rotated = _provider.Allocate(ColumnMajor.Count(n, m), "Vᵀ·K_DD·V·G·P");
        var scaledHost = new double[ColumnMajor.Count(n, m)];
        var rotatedHost = new double[ColumnMajor.Count(n, m)];
        for (int ti = 0; ti < gains.Length; ti++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double[] gain = gains[ti];
            Parallel.For(0, m, j =>
            {
                for (int k = 0; k < n; k++)
                {
                    scaledHost[(j * n) + k] = p.Host[(j * n) + k] * gain[k];
                }
            });
            _provider.CopyIn(scaled, scaledHost);
            _provider.Multiply(false, false, n, m, n, 1, _projectedNngp!, scaled, 0, rotated, cancellationToken);
            _provider.CopyOut(rotated, 0, rotatedHost);
            var variance = new double[m];
            int time = ti;
            Parallel.For(0, m, j =>
            {
                double quadratic = 0;
                for (int k = 0; k < n; k++)
                {
                    quadratic += scaledHost[(j * n) + k] * rotatedHost[(j * n) + k];
                }

                variance[j] = Math.Max(0, priorVariance[j] + quadratic - (2 * crossTerms[((long)time * m) + j]));
            });
            variances[ti] = variance;
            if (covariances is not null)
            {
                covariances[ti] = CovarianceFrom(prior!, m, result =>
                {
                    _provider.Multiply(true, false, m, m, n, 1, scaled, rotated, 1, result, cancellationToken);
                    _provider.Multiply(true, false, m, m, n, -1, scaled, q.Buffer, 1, result, cancellationToken);
                    _provider.Multiply(true, false, m, m, n, -1, q.Buffer, scaled, 1, result, cancellationToken);
                });
            }
        }

        return variances;
    }

    /// <summary>
    /// Vᵀ·K(D, test) and, in the NTK regime, Vᵀ·Θ(D, test) on the provider (the NNGP one only when
    /// <paramref name="nngp"/>): both kernels from one pass where the plan gives both at once.
    /// </summary>
    private (Projection? Nngp, Projection? Ntk) CrossProjections(Matrix<double> xTest, KernelOptions options, bool nngp, CancellationToken cancellationToken)
    {
        if (!Ntk)
        {
            using HostMatrix k = KernelPipeline.Compute(_provider, _plan, _x, xTest, options with { Kind = KernelKind.Nngp }, cancellationToken);
            return (Project(k, cancellationToken), null);
        }

        if (!nngp)
        {
            using HostMatrix theta = KernelPipeline.Compute(_provider, _plan, _x, xTest, options with { Kind = KernelKind.Ntk }, cancellationToken);
            return (null, Project(theta, cancellationToken));
        }

        (HostMatrix kCross, HostMatrix thetaCross) = KernelPipeline.ComputeBoth(_provider, _plan, _x, xTest, options, cancellationToken);
        using (kCross)
        using (thetaCross)
        {
            Projection projectedK = Project(kCross, cancellationToken);
            try
            {
                return (projectedK, Project(thetaCross, cancellationToken));
            }
            catch
            {
                projectedK.Dispose();
                throw;
            }
        }
    }

    /// <summary>Vᵀ·<paramref name="cross"/> on the provider (N×M), and a host copy.</summary>
    private Projection Project(HostMatrix cross, CancellationToken cancellationToken)
    {
        int n = _n, m = cross.ColumnCount;
        FiniteResults.CheckKernel(cross);
        using var onProvider = _provider.Upload(cross.Storage.Slice(0, checked((int)cross.Count)), "the test kernel K_D*");
        var projected = _provider.Allocate(ColumnMajor.Count(n, m), "Vᵀ·K_D*");
        try
        {
            _provider.Multiply(true, false, n, m, n, 1, _vectors, onProvider, 0, projected, cancellationToken);
            var host = new double[ColumnMajor.Count(n, m)];
            _provider.CopyOut(projected, 0, host);
            return new Projection(projected, host);
        }
        catch
        {
            projected.Dispose();
            throw;
        }
    }

    private static double[] Diagonal(HostMatrix matrix)
    {
        var diagonal = new double[matrix.RowCount];
        for (int i = 0; i < diagonal.Length; i++)
        {
            diagonal[i] = matrix.Storage[ColumnMajor.Index(i, i, matrix.RowCount)];
        }

        return diagonal;
    }

    /// <summary>K_** updated on the provider by <paramref name="update"/>, then symmetrised on the host.</summary>
    private Matrix<double> CovarianceFrom(HostMatrix prior, int m, Action<ProviderBuffer> update)
    {
        using var result = _provider.Upload(prior.Storage.Slice(0, checked((int)prior.Count)), "the test covariance");
        update(result);
        var host = new double[ColumnMajor.Count(m, m)];
        _provider.CopyOut(result, 0, host);
        return FittedModel.Symmetrised(Matrix<double>.Build.Dense(m, m, host));
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _projectedNngp?.Dispose();
        _vectors.Dispose();
    }

    /// <summary>Vᵀ·K_D* on the provider and on the host.</summary>
    private sealed class Projection(ProviderBuffer buffer, double[] host) : IDisposable
    {
        public ProviderBuffer Buffer { get; } = buffer;

        public double[] Host { get; } = host;

        public void Dispose() => Buffer.Dispose();
    }
}
