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
        using HostMatrix nngp = KernelPipeline.Compute(provider, plan, x, null, kernelOptions with { Kind = KernelKind.Nngp }, cancellationToken);
        FiniteResults.CheckKernel(nngp);
        AddDiagonalRegulariser(nngp, options.DiagReg);
        using HostMatrix? ntk = options.Kind == KernelKind.Ntk
            ? KernelPipeline.Compute(provider, plan, x, null, kernelOptions with { Kind = KernelKind.Ntk }, cancellationToken)
            : null;
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

    /// <summary>The ensemble at <paramref name="xTest"/> at every time; the kernels once, the times from Λ.</summary>
    public (Matrix<double>[] Means, double[][] Variances, Matrix<double>[]? Covariances) Predict(
        Matrix<double> xTest, IReadOnlyList<double> times, bool covariance, StageTimings timings, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var provider = _provider;
        int n = _n, m = xTest.RowCount, c = _outputs;
        KernelOptions kernelOptions = _options with { Progress = null };
        using var nngpCross = timings.Time(Stage.TestKernel, () => Project(KernelKind.Nngp, xTest, kernelOptions, cancellationToken));
        using var ntkCross = Ntk ? timings.Time(Stage.TestKernel, () => Project(KernelKind.Ntk, xTest, kernelOptions, cancellationToken)) : null;
        double[] pHost = (ntkCross ?? nngpCross).Host;
        double[] qHost = nngpCross.Host;
        using HostMatrix? prior = covariance
            ? timings.Time(Stage.TestKernel, () => KernelPipeline.Compute(provider, _plan, xTest, null, kernelOptions with { Kind = KernelKind.Nngp }, cancellationToken))
            : null;
        double[] priorVariance = prior is null ? timings.Time(Stage.TestKernel, () => PriorVariance(xTest, kernelOptions, cancellationToken)) : Diagonal(prior);

        var means = new Matrix<double>[times.Count];
        var variances = new double[times.Count][];
        var covariances = covariance ? new Matrix<double>[times.Count] : null;
        using var scaled = provider.Allocate(ColumnMajor.Count(n, m), "G·P");
        using var rotated = Ntk ? provider.Allocate(ColumnMajor.Count(n, m), "Vᵀ·K_DD·V·G·P") : null;
        var scaledHost = new double[ColumnMajor.Count(n, m)];
        var rotatedHost = Ntk ? new double[ColumnMajor.Count(n, m)] : null;
        for (int ti = 0; ti < times.Count; ti++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double time = times[ti];
            double[] gain = Gain(time, 1);
            var mean = new double[ColumnMajor.Count(m, c)];
            timings.Time(Stage.Mean, () =>
            {
                Parallel.For(0, m, j =>
                {
                    for (int o = 0; o < c; o++)
                    {
                        double sum = 0;
                        for (int k = 0; k < n; k++)
                        {
                            sum += pHost[(j * n) + k] * gain[k] * _projectedTargets[(o * n) + k];
                        }

                        mean[(o * m) + j] = sum;
                    }
                });
            });
            means[ti] = Matrix<double>.Build.Dense(m, c, mean);
            var variance = new double[m];
            timings.Time(Stage.Variance, () =>
            {
                if (!Ntk)
                {
                    // NNGP regime: K_** − Σ_k q_k²·h_k, h = g with the rate doubled; the covariance as K_** − WᵀW, W = √h·Q.
                    double[] shrink = Gain(time, 2);
                    Parallel.For(0, m, j =>
                    {
                        double explained = 0;
                        for (int k = 0; k < n; k++)
                        {
                            double q = qHost[(j * n) + k];
                            explained += q * q * shrink[k];
                            scaledHost[(j * n) + k] = q * Math.Sqrt(shrink[k]);
                        }

                        variance[j] = Math.Max(0, priorVariance[j] - explained);
                    });
                    if (covariances is not null)
                    {
                        provider.CopyIn(scaled, scaledHost);
                        covariances[ti] = CovarianceFrom(prior!, m, (result) => provider.Multiply(true, false, m, m, n, -1, scaled, scaled, 1, result, cancellationToken));
                    }

                    return;
                }

                // NTK regime: G·P on the provider, R = (Vᵀ·K_DD·V)·G·P there, then var = K_** + Σ (G·P)∘R − 2 Σ (G·P)∘Q.
                Parallel.For(0, m, j =>
                {
                    for (int k = 0; k < n; k++)
                    {
                        scaledHost[(j * n) + k] = pHost[(j * n) + k] * gain[k];
                    }
                });
                provider.CopyIn(scaled, scaledHost);
                provider.Multiply(false, false, n, m, n, 1, _projectedNngp!, scaled, 0, rotated!, cancellationToken);
                provider.CopyOut(rotated!, 0, rotatedHost);
                Parallel.For(0, m, j =>
                {
                    double quadratic = 0, crossTerm = 0;
                    for (int k = 0; k < n; k++)
                    {
                        double gp = scaledHost[(j * n) + k];
                        quadratic += gp * rotatedHost![(j * n) + k];
                        crossTerm += gp * qHost[(j * n) + k];
                    }

                    variance[j] = Math.Max(0, priorVariance[j] + quadratic - (2 * crossTerm));
                });
                if (covariances is not null)
                {
                    covariances[ti] = CovarianceFrom(prior!, m, (result) =>
                    {
                        provider.Multiply(true, false, m, m, n, 1, scaled, rotated!, 1, result, cancellationToken);
                        provider.Multiply(true, false, m, m, n, -1, scaled, nngpCross.Buffer, 1, result, cancellationToken);
                        provider.Multiply(true, false, m, m, n, -1, nngpCross.Buffer, scaled, 1, result, cancellationToken);
                    });
                }
            });
            variances[ti] = variance;
        }

        return (means, variances, covariances);
    }

    /// <summary>Vᵀ·K(D, test) of the kind on the provider (N×M), and a host copy.</summary>
    private Projection Project(KernelKind kind, Matrix<double> xTest, KernelOptions options, CancellationToken cancellationToken)
    {
        int n = _n, m = xTest.RowCount;
        using HostMatrix cross = KernelPipeline.Compute(_provider, _plan, _x, xTest, options with { Kind = kind }, cancellationToken);
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

    /// <summary>K(x*, x*) per test point: the fused chain's per-point diagonal, or the diagonal of the test points' kernel.</summary>
    private double[] PriorVariance(Matrix<double> xTest, KernelOptions options, CancellationToken cancellationToken)
    {
        if (_plan.FusedChain is { } chain)
        {
            var view = HostPreparation.View(chain.Network, options.QuadratureOrder);
            double[] inputs = HostPreparation.ColumnMajor(xTest);
            return HostPreparation.Diagonals(view, HostPreparation.InputVariances(inputs, xTest.RowCount, xTest.ColumnCount), KernelKind.Nngp).Output;
        }

        using HostMatrix prior = KernelPipeline.Compute(_provider, _plan, xTest, null, options with { Kind = KernelKind.Nngp }, cancellationToken);
        return Diagonal(prior);
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
