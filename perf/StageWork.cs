
namespace GpuNngp.Perf;

/// <summary>The shape of one configuration: N training points, M test points, d features, L layers, C outputs.</summary>
public sealed record Shape(int N, int M, int D, int Depth, int Outputs);

/// <summary>Which line of a card's peaks a stage's rate is compared with.</summary>
public enum PeakKind
{
    /// <summary>FP64 arithmetic: the tensor-core peak where the card has one (cuBLAS/cuSOLVER use it), else the vector peak.</summary>
    Fp64,

    /// <summary>Device memory bandwidth.</summary>
    Memory,

    /// <summary>The host link (PCIe) bandwidth.</summary>
    HostLink,
}

/// <summary>The work a stage does, in the unit its rate is quoted in.</summary>
/// <param name="Amount">FLOP or bytes.</param>
/// <param name="Unit">"GFLOP/s" or "GB/s".</param>
/// <param name="Model">The formula, e.g. "N²d".</param>
public sealed record StageWork(double Amount, string Unit, string Model, PeakKind Peak)
{
    /// <summary>The stages' work models. FLOP counts are the conventional ones (a multiply-add is two FLOP only where it says 2).</summary>
    public static StageWork For(Stage stage, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        double n = shape.N, m = shape.M, d = shape.D, c = shape.Outputs;
        return stage switch
        {
            Stage.Upload => new(8 * (n * d + n * c + m * d), "GB/s", "8(Nd + NC + Md) B", PeakKind.HostLink),
            Stage.InputGram => new(n * n * d, "GFLOP/s", "N²d", PeakKind.Fp64),
            Stage.LayerMap => new(16 * n * (n + 1) / 2, "GB/s", "16·N(N+1)/2 B", PeakKind.Memory),
            Stage.Factorisation => new(n * n * n / 3, "GFLOP/s", "N³/3", PeakKind.Fp64),
            Stage.Solve => new(2 * n * n * c, "GFLOP/s", "2N²C", PeakKind.Fp64),
            Stage.TestKernel => new(2 * n * m * d, "GFLOP/s", "2NMd (gemm; its map included in the time)", PeakKind.Fp64),
            Stage.Mean => new(2 * n * m * c, "GFLOP/s", "2NMC", PeakKind.Fp64),
            Stage.Variance => new(n * n * m, "GFLOP/s", "N²M (trsm)", PeakKind.Fp64),
            Stage.Download => new(8 * (m * c + m), "GB/s", "8(MC + M) B", PeakKind.HostLink),
            _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
        };
    }

    /// <summary>The rate in the unit (GFLOP/s or GB/s) for a stage that took <paramref name="seconds"/>.</summary>
    public double Rate(double seconds) => seconds > 0 ? Amount / seconds / 1e9 : 0;
}
