namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>
/// The CNN-GP and CNTK of DESIGN.md §7 written out directly, for the tests: per pair of images the
/// three covariances K(x, x), K(x, x′), K(x′, x′) (and Θ alike) as [h, w, h′, w′] arrays, each layer a
/// plain loop over pixels — padding done by building the padded array explicitly, then a valid
/// window — and ReLU by its arc-cosine closed form. It shares no code with the engine's operations.
/// </summary>
internal sealed class DirectCnnKernel
{
    private DirectCnnKernel(double[,,,] xx, double[,,,] xy, double[,,,] yy, double[,,,] txx, double[,,,] txy, double[,,,] tyy)
    {
        (Kxx, Kxy, Kyy, Txx, Txy, Tyy) = (xx, xy, yy, txx, txy, tyy);
    }

    public double[,,,] Kxx { get; }

    public double[,,,] Kxy { get; }

    public double[,,,] Kyy { get; }

    public double[,,,] Txx { get; }

    public double[,,,] Txy { get; }

    public double[,,,] Tyy { get; }

    /// <summary>The readout after Flatten or GlobalAvgPool and a Dense: (K(x, x′), Θ(x, x′)).</summary>
    public double FlatNngp { get; private init; } = double.NaN;

    public double FlatNtk { get; private init; } = double.NaN;

    /// <summary>K⁰ and Θ⁰ = 0 for images x, y given as [h, w, c].</summary>
    public static DirectCnnKernel Input(double[,,] x, double[,,] y) =>
        new(Gram(x, x), Gram(x, y), Gram(y, y), Zero(x), Zero(x), Zero(x));

    private static double[,,,] Gram(double[,,] a, double[,,] b)
    {
        int h = a.GetLength(0), w = a.GetLength(1), c = a.GetLength(2);
        var k = new double[h, w, h, w];
        foreach (var (h1, w1, h2, w2) in Grid(h, w, h, w))
        {
            double sum = 0;
            for (int ch = 0; ch < c; ch++)
            {
                sum += a[h1, w1, ch] * b[h2, w2, ch];
            }

            k[h1, w1, h2, w2] = sum / c;
        }

        return k;
    }

    private static double[,,,] Zero(double[,,] a) => new double[a.GetLength(0), a.GetLength(1), a.GetLength(0), a.GetLength(1)];

    /// <summary>
    /// Conv: pad (zeros, or wrapped for circular), then K′ = σb² + σw²·mean over the filter of
    /// K̃[o·s + δ, o′·s + δ] and Θ′ = K′ + σw²·(the same mean of Θ̃).
    /// </summary>
    public DirectCnnKernel Conv(int kh, int kw, string padding, int stride, double sw, double sb)
    {
        double[,,,] Map(double[,,,] k, double bias, double weight)
        {
            var (p, oh, ow) = Pad(k, kh, kw, stride, padding);
            var result = new double[oh, ow, oh, ow];
            foreach (var (a, b, c, d) in Grid(oh, ow, oh, ow))
            {
                double sum = 0;
                foreach (var (dh, dw, _, _) in Grid(kh, kw, 1, 1))
                {
                    sum += p[a * stride + dh, b * stride + dw, c * stride + dh, d * stride + dw];
                }

                result[a, b, c, d] = bias + weight * sum / (kh * kw);
            }

            return result;
        }

        double[,,,] Ntk(double[,,,] kNew, double[,,,] theta)
        {
            double[,,,] mapped = Map(theta, 0, sw);
            var result = (double[,,,])kNew.Clone();
            foreach (var (a, b, c, d) in Grid(result.GetLength(0), result.GetLength(1), result.GetLength(2), result.GetLength(3)))
            {
                result[a, b, c, d] += mapped[a, b, c, d];
            }

            return result;
        }

        double[,,,] xx = Map(Kxx, sb, sw), xy = Map(Kxy, sb, sw), yy = Map(Kyy, sb, sw);
        return new(xx, xy, yy, Ntk(xx, Txx), Ntk(xy, Txy), Ntk(yy, Tyy));
    }

    /// <summary>AvgPool with normalize_edges = False: the mean over the window of each side independently, zeros counted.</summary>
    public DirectCnnKernel AvgPool(int window, string padding)
    {
        double[,,,] Map(double[,,,] k)
        {
            var (p, oh, ow) = Pad(k, window, window, window, padding);
            var result = new double[oh, ow, oh, ow];
            foreach (var (a, b, c, d) in Grid(oh, ow, oh, ow))
            {
                double sum = 0;
                foreach (var (d1, d2, d3, d4) in Grid(window, window, window, window))
                {
                    sum += p[a * window + d1, b * window + d2, c * window + d3, d * window + d4];
                }

                result[a, b, c, d] = sum / (window * window * window * window);
            }

            return result;
        }

        return new(Map(Kxx), Map(Kxy), Map(Kyy), Map(Txx), Map(Txy), Map(Tyy));
    }

    /// <summary>ReLU's arc-cosine kernel per pixel pair, with the per-pixel variances of each side; Θ̃ = Ḟ·Θ.</summary>
    public DirectCnnKernel Relu()
    {
        (double[,,,] K, double[,,,] T) Map(double[,,,] k, double[,,,] theta, double[,,,] left, double[,,,] right)
        {
            int h = k.GetLength(0), w = k.GetLength(1);
            var result = new double[h, w, h, w];
            var resultTheta = new double[h, w, h, w];
            foreach (var (a, b, c, d) in Grid(h, w, h, w))
            {
                double q1 = left[a, b, a, b], q2 = right[c, d, c, d], k12 = k[a, b, c, d];
                double cosine = Math.Clamp(k12 / Math.Sqrt(q1 * q2), -1, 1), angle = Math.Acos(cosine);
                result[a, b, c, d] = Math.Sqrt(q1 * q2) / (2 * Math.PI) * (Math.Sin(angle) + (Math.PI - angle) * cosine);
                resultTheta[a, b, c, d] = (Math.PI - angle) / (2 * Math.PI) * theta[a, b, c, d];
            }

            return (result, resultTheta);
        }

        var (xx, txx) = Map(Kxx, Txx, Kxx, Kxx);
        var (xy, txy) = Map(Kxy, Txy, Kxx, Kyy);
        var (yy, tyy) = Map(Kyy, Tyy, Kyy, Kyy);
        return new(xx, xy, yy, txx, txy, tyy);
    }

    /// <summary>Flatten (mean of the same-pixel entries) or GlobalAvgPool (mean of all), then Dense(σw², σb²).</summary>
    public DirectCnnKernel Readout(bool globalPool, double sw, double sb)
    {
        double Reduce(double[,,,] k)
        {
            int h = k.GetLength(0), w = k.GetLength(1);
            double sum = 0;
            foreach (var (a, b, c, d) in Grid(h, w, h, w))
            {
                if (globalPool || (a == c && b == d))
                {
                    sum += k[a, b, c, d];
                }
            }

            return sum / (globalPool ? h * w * h * w : h * w);
        }

        double nngp = sb + sw * Reduce(Kxy);
        return new(Kxx, Kxy, Kyy, Txx, Txy, Tyy) { FlatNngp = nngp, FlatNtk = nngp + sw * Reduce(Txy) };
    }

    /// <summary>
    /// The padded array and the output size: same/circular pad max((⌈n/s⌉ − 1)·s + k − n, 0) split
    /// with the smaller half first; valid pads nothing.
    /// </summary>
    private static (double[,,,] Padded, int OutHeight, int OutWidth) Pad(double[,,,] k, int kh, int kw, int stride, string padding)
    {
        int h = k.GetLength(0), w = k.GetLength(1);
        if (padding == "valid")
        {
            return (k, (h - kh) / stride + 1, (w - kw) / stride + 1);
        }

        int oh = (h + stride - 1) / stride, ow = (w + stride - 1) / stride;
        int padH = Math.Max((oh - 1) * stride + kh - h, 0), padW = Math.Max((ow - 1) * stride + kw - w, 0);
        int top = padH / 2, left = padW / 2;
        int hp = h + padH, wp = w + padW;
        var p = new double[hp, wp, hp, wp];
        foreach (var (a, b, c, d) in Grid(hp, wp, hp, wp))
        {
            int sa = a - top, sb = b - left, sc = c - top, sd = d - left;
            if (padding == "circular")
            {
                p[a, b, c, d] = k[Wrap(sa, h), Wrap(sb, w), Wrap(sc, h), Wrap(sd, w)];
            }
            else if (sa >= 0 && sa < h && sb >= 0 && sb < w && sc >= 0 && sc < h && sd >= 0 && sd < w)
            {
                p[a, b, c, d] = k[sa, sb, sc, sd];
            }
        }

        return (p, oh, ow);
    }

    /// <summary>Every index tuple of an n0 × n1 × n2 × n3 grid, the last fastest.</summary>
    private static IEnumerable<(int, int, int, int)> Grid(int n0, int n1, int n2, int n3)
    {
        for (int a = 0; a < n0; a++)
        {
            for (int b = 0; b < n1; b++)
            {
                for (int c = 0; c < n2; c++)
                {
                    for (int d = 0; d < n3; d++)
                    {
                        yield return (a, b, c, d);
                    }
                }
            }
        }
    }

    private static int Wrap(int i, int n) => ((i % n) + n) % n;
}
