using System.Runtime.Intrinsics.X86;
using GpuNngp.Kernels;

namespace GpuNngp.Perf.Conv;

/// <summary>
/// The floating-point operations of one program run of the spatial kernel (a pair (x, x′) or a
/// point's own run), counted from what <c>Engine/Spatial/SliceWorker.cs</c> executes per slice
/// position (the ReLU family as <c>SliceClosedForms</c> computes it since main's ac8babc), for networks whose spatial part is stride-1 <c>same</c> convolutions, closed-form
/// ReLU-family activations and residual blocks of those (no pooling, no circular convolution: those
/// are barriers whose cost the model leaves out, and the result is null).
/// </summary>
/// <remarks>
/// Counting rule: every useful +, −, ×, ÷ and √ on a lane counts one flop (an FMA two); min, max,
/// abs, compares and selects count none; a sum of t terms costs t − 1 adds.
/// <list type="bullet">
/// <item>Slices: a Flatten readout needs the diagonal slice (0, 0) only (P positions); a global
/// average pooling every offset slice (dr, dc) with |dr| &lt; H, |dc| &lt; W, which hold
/// (H − |dr|)(W − |dc|) positions: P² in all. A point's own run computes the same slices.</item>
/// <item>Input (K⁰ = Σ_c x_c x′_c / C): C multiplies, C − 1 adds, one scale: 2C per position.</item>
/// <item>Convolution (TapSum, separable): the column pass adds taps(o) − 1 per output column of each
/// row, the row pass taps(o) − 1 per output row of each column (fewer taps at the slice's zero-padded
/// edges), then σb² + σw²·sum: 2 per position; Θ′ = K′ + σw²·W(Θ̃) the same tap adds, a multiply
/// and an add. NTK: twice the NNGP count.</item>
/// <item>ReLU family (SliceWorker.ActivateRelu, SliceClosedForms.AbRelu): 69 per position — the norm
/// √q_i·√q_j and its inverse from per-pixel roots 2, c = K·(1/√q_i)(1/√q_j) 1, 1 + |c| and
/// (1 − |c|)(1 + |c|) 3, √ by Newton from the 14-bit estimate 18 (the shift 1, the third-order step
/// 8, s 1, the correction 5, counting the estimate as none), the rotated numerator and denominator
/// 5, the quotient by Newton 11, arctan 20 (z 1, Horner's 8 FMAs 16, a·z and the last FMA 3), the
/// rotation's π/6 − 1, θ 2, Ḟ 2, F 4; NTK adds Ḟ·Θ: 1. Where the lanes take the root and the
/// quotient from the divider instead (AVX2, which has no double estimates: ILaneMath's
/// EstimatesBeatDivider) they are 1 flop each: 42. The per-pixel roots are made once per point
/// (Engine/Spatial/PixelRoots), not per run: not counted.</item>
/// <item>Residual block: its branches, plus (branches − 1) adds per position per K (and Θ).</item>
/// <item>Readout: one add per position summed (K and Θ). The flat Dense tail is not counted (a few
/// flops per entry).</item>
/// </list>
/// </remarks>
public static class StencilFlops
{
    /// <summary>Flops of one ReLU-family closed form (K̃ and Ḟ) on one lane, divider-free (AVX-512); see the remarks.</summary>
    public const int DividerFreeReluFlops = 69;

    /// <summary>The same with the divider's root and quotient (AVX2).</summary>
    public const int DividerReluFlops = 42;

    /// <summary>The form this machine's CPU lanes run: divider-free where AVX-512's estimates are (the engine's choice).</summary>
    public static int ReluFlops => Avx512F.VL.IsSupported ? DividerFreeReluFlops : DividerReluFlops;

    /// <summary>
    /// Flops per run of <paramref name="network"/> on images of the given shape, or null when the
    /// model does not cover it; the ReLU form's <paramref name="reluFlops"/> (default: <see cref="ReluFlops"/>).
    /// </summary>
    public static double? PerRun(Network network, int height, int width, int channels, bool ntk, int? reluFlops = null)
    {
        int relu = reluFlops ?? ReluFlops;
        ArgumentNullException.ThrowIfNull(network);
        int readout = network.Layers.ToList().FindIndex(l => l is FlattenLayer or GlobalAvgPoolLayer);
        if (readout < 0)
        {
            return null;
        }

        var spatial = network.Layers.Take(readout).ToArray();
        if (!spatial.All(Modelled))
        {
            return null;
        }

        bool global = network.Layers[readout] is GlobalAvgPoolLayer;
        int kinds = ntk ? 2 : 1;
        double total = 0;
        for (int dr = global ? 1 - height : 0; dr <= (global ? height - 1 : 0); dr++)
        {
            for (int dc = global ? 1 - width : 0; dc <= (global ? width - 1 : 0); dc++)
            {
                int rows = height - Math.Abs(dr), columns = width - Math.Abs(dc);
                double positions = (double)rows * columns;
                total += positions * 2 * channels;
                total += Steps(spatial, rows, columns, ntk, relu);
                total += positions * kinds;
            }
        }

        return total;
    }

    /// <summary>Flops of the steps on one slice of <paramref name="rows"/> × <paramref name="columns"/> positions.</summary>
    private static double Steps(IEnumerable<ILayer> layers, int rows, int columns, bool ntk, int relu)
    {
        double positions = (double)rows * columns;
        int kinds = ntk ? 2 : 1;
        double total = 0;
        foreach (ILayer layer in layers)
        {
            total += layer switch
            {
                ConvLayer conv => kinds * ((rows * TapAdds(columns, conv.FilterWidth)) + (columns * TapAdds(rows, conv.FilterHeight)) + (2 * positions)),
                ActivationLayer => positions * (relu + (ntk ? 1 : 0)),
                ResidualLayer residual => residual.Branches.Sum(b => Steps(b.Layers, rows, columns, ntk, relu)) + ((residual.Branches.Length - 1) * positions * kinds),
                _ => throw new InvalidOperationException($"no flop model for {layer}"),
            };
        }

        return total;
    }

    /// <summary>Σ over a slice axis of m positions of (taps − 1) of a same-padded window of k taps (the padding's taps are never added).</summary>
    private static double TapAdds(int m, int k)
    {
        int before = (k - 1) / 2;
        double adds = 0;
        for (int o = 0; o < m; o++)
        {
            int lo = Math.Max(o - before, 0), hi = Math.Min(o - before + k, m);
            adds += Math.Max(hi - lo - 1, 0);
        }

        return adds;
    }

    private static bool Modelled(ILayer layer) => layer switch
    {
        ConvLayer conv => conv.Padding == Padding.Same && conv.StrideHeight == 1 && conv.StrideWidth == 1,
        ActivationLayer activation => !activation.IsCustom && activation.Activation.Kind == ActivationKind.AbRelu,
        ResidualLayer residual => residual.Branches.All(b => b.Layers.All(Modelled)),
        _ => false,
    };
}
