using System.Numerics;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>
/// A finite CNN sampled in the NTK parameterisation, for Monte Carlo estimates of the infinite-width
/// kernels: two 3 × 3 same-padded convolutions of n channels with ReLU,
/// z = √(σw²/(C_in·9))·Σ_{δ,c} W_{δ,c,k}·a_{p+δ,c} + σb·b_k with W, b ~ N(0, 1), then a dense readout.
/// The NNGP estimate integrates the readout out exactly (<see cref="Readout"/>: given the hidden
/// layers, E[f(x)f(x′)] = σb² + σw²·⟨features(x), features(x′)⟩ / fan_in); the NTK estimate is
/// ⟨∇f(x), ∇f(x′)⟩ over all parameters (<see cref="Gradient"/>, by backpropagation) with the Flatten
/// readout f = √(σw²/(P·n))·Σ V·a + σb·b drawn too.
/// </summary>
internal sealed class SampledCnn
{
    private const int Filter = 3;
    private readonly int _height, _width, _inputChannels, _channels;
    private readonly double _sw, _sb;
    private readonly double[] _w1, _b1, _w2, _b2, _v;

    public SampledCnn(int height, int width, int inputChannels, int channels, double sw, double sb, Random random)
    {
        (_height, _width, _inputChannels, _channels, _sw, _sb) = (height, width, inputChannels, channels, sw, sb);
        _w1 = Normals(random, Filter * Filter * inputChannels * channels);
        _b1 = Normals(random, channels);
        _w2 = Normals(random, Filter * Filter * channels * channels);
        _b2 = Normals(random, channels);
        _v = Normals(random, height * width * channels);
    }

    /// <summary>n, the channels of each hidden layer.</summary>
    public int Channels => _channels;

    /// <summary>The last hidden layer's ReLU activations, [p·n + k], of an image given as [p·C + c].</summary>
    public double[] Features(double[] image)
    {
        double s1 = Math.Sqrt(_sw / (_inputChannels * Filter * Filter)), s2 = Math.Sqrt(_sw / (_channels * Filter * Filter)), bias = Math.Sqrt(_sb);
        return Relu(Conv(Relu(Conv(image, _inputChannels, _w1, _b1, s1, bias)), _channels, _w2, _b2, s2, bias));
    }

    /// <summary>E over the readout of f(x)f(x′): Flatten averages over all P·n features, GlobalAvgPool first averages each channel over the pixels.</summary>
    public static double Readout(double[] x, double[] y, int pixels, int channels, bool globalPool, double sw, double sb)
    {
        double sum = 0;
        if (!globalPool)
        {
            return sb + sw * Dot(x, y) / (pixels * channels);
        }

        for (int k = 0; k < channels; k++)
        {
            double mx = 0, my = 0;
            for (int p = 0; p < pixels; p++)
            {
                mx += x[p * channels + k];
                my += y[p * channels + k];
            }

            sum += mx / pixels * (my / pixels);
        }

        return sb + sw * sum / channels;
    }

    /// <summary>An [h, w, c] image as [p·C + c].</summary>
    public static double[] Flatten(double[,,] image)
    {
        int height = image.GetLength(0), width = image.GetLength(1), channels = image.GetLength(2);
        var result = new double[height * width * channels];
        for (int h = 0; h < height; h++)
        {
            for (int w = 0; w < width; w++)
            {
                for (int c = 0; c < channels; c++)
                {
                    result[(h * width + w) * channels + c] = image[h, w, c];
                }
            }
        }

        return result;
    }

    /// <summary>∇f(x) over (W1, b1, W2, b2, V, b3), concatenated; the image as [p·C + c].</summary>
    public double[] Gradient(double[] image)
    {
        int pixels = _height * _width, n = _channels;
        double s1 = Math.Sqrt(_sw / (_inputChannels * Filter * Filter)), s2 = Math.Sqrt(_sw / (n * Filter * Filter));
        double bias = Math.Sqrt(_sb), readout = Math.Sqrt(_sw / (pixels * n));
        double[] z1 = Conv(image, _inputChannels, _w1, _b1, s1, bias), a1 = Relu(z1);
        double[] z2 = Conv(a1, n, _w2, _b2, s2, bias), a2 = Relu(z2);

        var gradient = new double[_w1.Length + n + _w2.Length + n + _v.Length + 1];
        int offsetB1 = _w1.Length, offsetW2 = offsetB1 + n, offsetB2 = offsetW2 + _w2.Length, offsetV = offsetB2 + n;
        var g2 = new double[pixels * n];
        for (int e = 0; e < g2.Length; e++)
        {
            g2[e] = z2[e] > 0 ? readout * _v[e] : 0;
            gradient[offsetV + e] = readout * a2[e];
        }

        gradient[^1] = bias;
        double[] g1 = Backward(a1, n, _w2, g2, s2, bias, gradient.AsSpan(offsetW2, _w2.Length), gradient.AsSpan(offsetB2, n));
        for (int e = 0; e < g1.Length; e++)
        {
            g1[e] = z1[e] > 0 ? g1[e] : 0;
        }

        Backward(image, _inputChannels, _w1, g1, s1, bias, gradient.AsSpan(0, _w1.Length), gradient.AsSpan(offsetB1, n));
        return gradient;
    }

    /// <summary>z[p, k] = scale·Σ_{δ,c} W[δ, c, k]·a[p + δ, c] + bias·b[k] (3 × 3, same, zeros outside).</summary>
    private double[] Conv(double[] input, int inputChannels, double[] weights, double[] b, double scale, double bias)
    {
        int n = _channels;
        var output = new double[_height * _width * n];
        for (int p = 0; p < _height * _width; p++)
        {
            Span<double> z = output.AsSpan(p * n, n);
            for (int delta = 0; delta < Filter * Filter; delta++)
            {
                int source = Source(p, delta);
                if (source < 0)
                {
                    continue;
                }

                for (int c = 0; c < inputChannels; c++)
                {
                    Axpy(input[source * inputChannels + c], weights.AsSpan((delta * inputChannels + c) * n, n), z);
                }
            }

            for (int k = 0; k < n; k++)
            {
                z[k] = scale * z[k] + bias * b[k];
            }
        }

        return output;
    }

    /// <summary>
    /// Given g = ∂f/∂z of a convolution's outputs: its weights' and biases' gradients (written) and
    /// ∂f/∂(its input) (returned).
    /// </summary>
    private double[] Backward(double[] input, int inputChannels, double[] weights, double[] g, double scale, double bias, Span<double> weightGradient, Span<double> biasGradient)
    {
        int n = _channels;
        var inputGradient = new double[_height * _width * inputChannels];
        for (int p = 0; p < _height * _width; p++)
        {
            ReadOnlySpan<double> gp = g.AsSpan(p * n, n);
            for (int k = 0; k < n; k++)
            {
                biasGradient[k] += bias * gp[k];
            }

            for (int delta = 0; delta < Filter * Filter; delta++)
            {
                int source = Source(p, delta);
                if (source < 0)
                {
                    continue;
                }

                for (int c = 0; c < inputChannels; c++)
                {
                    int row = (delta * inputChannels + c) * n;
                    Axpy(scale * input[source * inputChannels + c], gp, weightGradient.Slice(row, n));
                    inputGradient[source * inputChannels + c] += scale * Dot(weights.AsSpan(row, n), gp);
                }
            }
        }

        return inputGradient;
    }

    private int Source(int p, int delta)
    {
        int h = p / _width + delta / Filter - 1, w = p % _width + delta % Filter - 1;
        return h < 0 || h >= _height || w < 0 || w >= _width ? -1 : h * _width + w;
    }

    private static double[] Relu(double[] z) => [.. z.Select(v => Math.Max(v, 0))];

    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        int lanes = Vector<double>.Count, k = 0;
        var va = new Vector<double>(a);
        for (; k <= x.Length - lanes; k += lanes)
        {
            (new Vector<double>(y[k..]) + va * new Vector<double>(x[k..])).CopyTo(y[k..]);
        }

        for (; k < x.Length; k++)
        {
            y[k] += a * x[k];
        }
    }

    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int lanes = Vector<double>.Count, k = 0;
        Vector<double> sum = Vector<double>.Zero;
        for (; k <= x.Length - lanes; k += lanes)
        {
            sum += new Vector<double>(x[k..]) * new Vector<double>(y[k..]);
        }

        double total = Vector.Sum(sum);
        for (; k < x.Length; k++)
        {
            total += x[k] * y[k];
        }

        return total;
    }

    private static double[] Normals(Random random, int count)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = SpatialImages.Gaussian(random);
        }

        return values;
    }
}
