namespace GpuNngp.Engine.Tests.MonteCarlo;

/// <summary>
/// One finite CNN written as plain loops over pixels, for checking the product's sampler draw by
/// draw: Conv 3×3 same → ReLU → Conv 3×3 same → ReLU → Flatten → Dense, the readout's first unit
/// only, in the NTK parameterisation z[p, k] = √(σw²/(C_in·9))·Σ_{δ,c} W[δ, c, k]·a[p + δ, c] + σb·b[k]
/// (zeros outside the image) and f = √(σw²/(P·n))·Σ_e V[e]·a[e] + σb·b₃, with the parameters given
/// (the sampler's draws). <see cref="Gradient"/> backpropagates by hand, loop by loop.
/// </summary>
internal sealed class PlainLoopCnn(int height, int width, int inputChannels, int channels, double sw, double sb, double[][] parameters)
{
    private const int Filter = 3;
    private readonly double[] _w1 = parameters[0], _b1 = parameters[1], _w2 = parameters[2], _b2 = parameters[3], _v = parameters[4];
    private readonly double _b3 = parameters[5][0];

    private int Pixels => height * width;

    /// <summary>f(x) of an image given as [p·C + c].</summary>
    public double Output(double[] image)
    {
        double[] a2 = Relu(Conv(Relu(Conv(image, inputChannels, _w1, _b1, Scale(inputChannels))), channels, _w2, _b2, Scale(channels)));
        double sum = 0;
        for (int e = 0; e < a2.Length; e++)
        {
            sum += _v[e] * a2[e];
        }

        return Math.Sqrt(sw / a2.Length) * sum + Math.Sqrt(sb) * _b3;
    }

    /// <summary>∇f(x) over (W1, b1, W2, b2, V, b₃), concatenated.</summary>
    public double[] Gradient(double[] image)
    {
        int n = channels;
        double[] z1 = Conv(image, inputChannels, _w1, _b1, Scale(inputChannels)), a1 = Relu(z1);
        double[] z2 = Conv(a1, n, _w2, _b2, Scale(n)), a2 = Relu(z2);
        double readout = Math.Sqrt(sw / (Pixels * n));
        var gradient = new double[_w1.Length + n + _w2.Length + n + _v.Length + 1];
        int offsetB1 = _w1.Length, offsetW2 = offsetB1 + n, offsetB2 = offsetW2 + _w2.Length, offsetV = offsetB2 + n;
        var g2 = new double[Pixels * n];
        for (int e = 0; e < g2.Length; e++)
        {
            g2[e] = z2[e] > 0 ? readout * _v[e] : 0;
            gradient[offsetV + e] = readout * a2[e];
        }

        gradient[^1] = Math.Sqrt(sb);
        double[] g1 = Backward(a1, n, _w2, g2, Scale(n), gradient.AsSpan(offsetW2, _w2.Length), gradient.AsSpan(offsetB2, n));
        for (int e = 0; e < g1.Length; e++)
        {
            g1[e] = z1[e] > 0 ? g1[e] : 0;
        }

        Backward(image, inputChannels, _w1, g1, Scale(inputChannels), gradient.AsSpan(0, _w1.Length), gradient.AsSpan(offsetB1, n));
        return gradient;
    }

    private double Scale(int inChannels) => Math.Sqrt(sw / (inChannels * Filter * Filter));

    /// <summary>z[p, k] = scale·Σ_{δ,c} W[(δ·C_in + c)·n + k]·a[p + δ, c] + σb·b[k].</summary>
    private double[] Conv(double[] input, int inChannels, double[] weights, double[] b, double scale)
    {
        var output = new double[Pixels * channels];
        for (int p = 0; p < Pixels; p++)
        {
            for (int k = 0; k < channels; k++)
            {
                double sum = 0;
                for (int delta = 0; delta < Filter * Filter; delta++)
                {
                    int source = Source(p, delta);
                    for (int c = 0; source >= 0 && c < inChannels; c++)
                    {
                        sum += weights[(delta * inChannels + c) * channels + k] * input[source * inChannels + c];
                    }
                }

                output[p * channels + k] = scale * sum + Math.Sqrt(sb) * b[k];
            }
        }

        return output;
    }

    /// <summary>Given g = ∂f/∂z of a convolution: its weights' and biases' gradients (written) and ∂f/∂(its input) (returned).</summary>
    private double[] Backward(double[] input, int inChannels, double[] weights, double[] g, double scale, Span<double> weightGradient, Span<double> biasGradient)
    {
        var inputGradient = new double[Pixels * inChannels];
        for (int p = 0; p < Pixels; p++)
        {
            for (int k = 0; k < channels; k++)
            {
                double gk = g[p * channels + k];
                biasGradient[k] += Math.Sqrt(sb) * gk;
                for (int delta = 0; delta < Filter * Filter; delta++)
                {
                    int source = Source(p, delta);
                    for (int c = 0; source >= 0 && c < inChannels; c++)
                    {
                        int w = (delta * inChannels + c) * channels + k;
                        weightGradient[w] += scale * input[source * inChannels + c] * gk;
                        inputGradient[source * inChannels + c] += scale * weights[w] * gk;
                    }
                }
            }
        }

        return inputGradient;
    }

    private int Source(int p, int delta)
    {
        int h = p / width + delta / Filter - 1, w = p % width + delta % Filter - 1;
        return h < 0 || h >= height || w < 0 || w >= width ? -1 : h * width + w;
    }

    private static double[] Relu(double[] z) => [.. z.Select(v => Math.Max(v, 0))];
}
