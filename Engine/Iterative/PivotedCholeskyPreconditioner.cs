using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Iterative;

/// <summary>
/// P = L·Lᵀ + σε²I, L (N × k) the pivoted (partial) Cholesky factor of K_DD (Harbrecht, Peters and
/// Schneider 2012; Gardner et al. 2018): k greedy pivots on the largest remaining diagonal, each one
/// kernel column, stopping early where the remaining diagonal vanishes. Through the eigendecomposition
/// LᵀL = U·S·Uᵀ, L·Lᵀ = V·S·Vᵀ with V = L·U·S^{-1/2} orthonormal, so that by Woodbury
/// P⁻¹ = σ⁻²(I − V·S(S + σ²)⁻¹·Vᵀ), P^{1/2} = σI + V·(√(S + σ²) − σ)·Vᵀ and
/// log det P = Σ log(S + σ²) + (N − k)·log σ²: all three at N·k per column. V stays on the provider.
/// On MPI ranks rank 0 alone builds P (k kernel columns, N·k² flops: a few products' worth) and
/// broadcasts V and S: every rank then applies P with the same bits, and ranks sharing cores do not
/// build the same P P times over (docs/benchmarks.md, "PCG on MPI ranks", measured both ways).
/// </summary>
internal sealed class PivotedCholeskyPreconditioner : IDisposable
{
    private readonly IComputeProvider _provider;
    private readonly int _n;
    private readonly double _noise;
    private readonly ProviderBuffer? _basis;
    private readonly double[] _eigenvalues;

    private PivotedCholeskyPreconditioner(IComputeProvider provider, int n, double noise, ProviderBuffer? basis, double[] eigenvalues)
    {
        _provider = provider;
        _n = n;
        _noise = noise;
        _basis = basis;
        _eigenvalues = eigenvalues;
    }

    /// <summary>The rank built (≤ the one asked for; fewer where K_DD's remaining diagonal vanished first).</summary>
    public int Rank => _eigenvalues.Length;

    /// <summary>log det P.</summary>
    public double LogDeterminant
    {
        get
        {
            double sum = (_n - Rank) * Math.Log(_noise);
            foreach (double s in _eigenvalues)
            {
                sum += Math.Log(s + _noise);
            }

            return sum;
        }
    }

    /// <summary>The rank-<paramref name="rank"/> preconditioner of <paramref name="tiles"/>' kernel with noise σε² &gt; 0; cancellable between pivots.</summary>
    public static PivotedCholeskyPreconditioner Build(
        IComputeProvider provider, TrainingTiles tiles, int rank, double noise, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        int n = tiles.N;
        if (rank == 0)
        {
            return new PivotedCholeskyPreconditioner(provider, n, noise, null, []);
        }

        RowPartition rows = tiles.Rows;
        if (!rows.IsLead)
        {
            return Received(provider, n, noise, rows);
        }

        double[] remaining = (double[])tiles.PriorDiagonal.Clone();
        double floor = 1e-12 * remaining.Max();
        var factor = new double[(long)n * rank];
        var pivoted = new bool[n];
        var pivots = new List<int>(rank);
        using var columns = provider.Allocate((long)n * rank, "the pivoted Cholesky factor");
        using var column = provider.Allocate(n, "a kernel column");
        using var row = provider.Allocate(rank, "a row of the pivoted Cholesky factor");
        var values = new double[n];
        for (int j = 0; j < rank; j++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int p = -1;
            for (int i = 0; i < n; i++)
            {
                if (!pivoted[i] && (p < 0 || remaining[i] > remaining[p]))
                {
                    p = i;
                }
            }

            if (p < 0 || remaining[p] <= floor)
            {
                break;
            }

            tiles.Column(p, column);
            if (j > 0)
            {
                var previous = new double[j];
                for (int t = 0; t < j; t++)
                {
                    previous[t] = factor[((long)t * n) + p];
                }

                provider.CopyIn(row, previous);
                provider.Multiply(false, false, n, 1, j, -1, columns, row, 1, column);
            }

            provider.CopyOut(column, 0, values);
            double scale = 1 / Math.Sqrt(remaining[p]);
            for (int i = 0; i < n; i++)
            {
                double value = pivoted[i] ? 0 : values[i] * scale;
                factor[((long)j * n) + i] = value;
                remaining[i] = Math.Max(0, remaining[i] - (value * value));
            }

            pivoted[p] = true;
            remaining[p] = 0;
            pivots.Add(p);
            provider.CopyIn(column, factor.AsSpan((int)((long)j * n), n));
            provider.Copy(column, 0, columns, ColumnMajor.ColumnStart(j, n), n);
            progress?.Report(new StageProgress(Stage.Factorisation, (j + 1.0) / rank));
        }

        var built = Orthonormalised(provider, columns, n, pivots.Count, noise);
        if (rows.Parts > 1)
        {
            built.Send(rows);
        }

        return built;
    }

    /// <summary>Rank 0's S and V to the other ranks (the other half of <see cref="Received"/>; collective).</summary>
    private void Send(RowPartition rows)
    {
        rows.FromLead(_eigenvalues);
        var basis = new double[(long)_n * Rank];
        if (_basis is not null)
        {
            _provider.CopyOut(_basis, 0, basis);
        }

        rows.FromLead(basis);
    }

    /// <summary>The preconditioner rank 0 built and sent (<see cref="Send"/>; collective).</summary>
    private static PivotedCholeskyPreconditioner Received(IComputeProvider provider, int n, double noise, RowPartition rows)
    {
        double[] eigenvalues = rows.FromLead([]);
        double[] basis = rows.FromLead([]);
        return new PivotedCholeskyPreconditioner(
            provider, n, noise, eigenvalues.Length == 0 ? null : provider.Upload(basis, "the preconditioner's basis V"), eigenvalues);
    }

    /// <summary>V = L·U·S^{-1/2} from LᵀL = U·S·Uᵀ (its directions with S ≤ 1e-13·S_max dropped: they carry nothing P can see beside σε²).</summary>
    private static PivotedCholeskyPreconditioner Orthonormalised(IComputeProvider provider, ProviderBuffer factor, int n, int k, double noise)
    {
        if (k == 0)
        {
            return new PivotedCholeskyPreconditioner(provider, n, noise, null, []);
        }

        using var gram = provider.Allocate((long)k * k, "LᵀL");
        using var spectrum = provider.Allocate(k, "the eigenvalues of LᵀL");
        provider.Multiply(true, false, k, k, n, 1, factor, factor, 0, gram);
        provider.SymmetricEigen(gram, k, spectrum);
        var s = new double[k];
        var u = new double[(long)k * k];
        provider.CopyOut(spectrum, 0, s);
        provider.CopyOut(gram, 0, u);
        double largest = s.Max();
        var kept = Enumerable.Range(0, k).Where(i => s[i] > 1e-13 * largest).ToArray();
        var scaled = new double[(long)k * kept.Length];
        for (int c = 0; c < kept.Length; c++)
        {
            double inverseRoot = 1 / Math.Sqrt(s[kept[c]]);
            for (int i = 0; i < k; i++)
            {
                scaled[((long)c * k) + i] = u[((long)kept[c] * k) + i] * inverseRoot;
            }
        }

        using var rotation = provider.Upload(scaled, "U·S^-1/2");
        var basis = provider.Allocate((long)n * kept.Length, "the preconditioner's basis V");
        provider.Multiply(false, false, n, kept.Length, k, 1, factor, rotation, 0, basis);
        return new PivotedCholeskyPreconditioner(provider, n, noise, basis, [.. kept.Select(i => s[i])]);
    }

    /// <summary>P⁻¹·R in place for R (N × <paramref name="columns"/>, column-major host memory).</summary>
    public void ApplyInverse(double[] r, int columns) =>
        LowRankUpdate(r, columns, 1 / _noise, s => -s / (s + _noise) / _noise);

    /// <summary>P^{1/2}·W in place.</summary>
    public void ApplySquareRoot(double[] w, int columns) =>
        LowRankUpdate(w, columns, Math.Sqrt(_noise), s => Math.Sqrt(s + _noise) - Math.Sqrt(_noise));

    /// <summary>R ← a·R + V·diag(f(S))·Vᵀ·R.</summary>
    private void LowRankUpdate(double[] r, int columns, double a, Func<double, double> f)
    {
        long size = (long)_n * columns;
        if (_basis is null)
        {
            for (long i = 0; i < size; i++)
            {
                r[i] *= a;
            }

            return;
        }

        int k = Rank;
        using var vectors = _provider.Upload(r.AsSpan(0, checked((int)size)), "vectors to precondition");
        using var projected = _provider.Allocate((long)k * columns, "Vᵀ·R");
        _provider.Multiply(true, false, k, columns, _n, 1, _basis, vectors, 0, projected);
        var coefficients = new double[(long)k * columns];
        _provider.CopyOut(projected, 0, coefficients);
        for (int c = 0; c < columns; c++)
        {
            for (int i = 0; i < k; i++)
            {
                coefficients[((long)c * k) + i] *= f(_eigenvalues[i]);
            }
        }

        _provider.CopyIn(projected, coefficients);
        _provider.Multiply(false, false, _n, columns, k, 1, _basis, projected, a, vectors);
        _provider.CopyOut(vectors, 0, r.AsSpan(0, checked((int)size)));
    }

    public void Dispose() => _basis?.Dispose();
}
