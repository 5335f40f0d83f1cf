using System.Numerics;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>
/// A finite CNN sampled in the NTK parameterisation, for Monte Carlo estimates of the infinite-width
/// kernels: two 3 × 3 same-padded convolutions of <c>channels</c> channels with ReLU,
/// z = √(σw²/(C_in·9))·Σ_{δ,c} W_{δ,c,k}·a_{p+δ,c} + σb·b_k with W, b ~ N(0, 1), and a dense readout
/// after Flatten or GlobalAvgPool. The readout layer's weights are integrated out exactly (given the
/// hidden layers, E[f(x)f(x′)] = σb² + σw²·⟨features(x), features(x′)⟩ / fan_in), so each sampled
/// network gives one draw of the empirical NNGP.
/// </summary>
internal static class FiniteCnn
{
    private const int Filter = 3;

    /// <summary>The last hidden layer's ReLU activations of each image, [p·channels + k], for one sampled network.</summary>
    public static double[][] HiddenFeatures(double[][,,] images, int channels, double sw, double sb, Random random)
    {
        int height = images[0].GetLength(0), width = images[0].GetLength(1), inputChannels = images[0].GetLength(2);
        double[] w1 = Normals(random, Filter * Filter * inputChannels * channels), b1 = Normals(random, channels);
        double[] w2 = Normals(random, Filter * Filter * channels * channels), b2 = Normals(random, channels);
        var features = new double[images.Length][];
        for (int n = 0; n < images.Length; n++)
        {
            double[] input = Flatten(images[n]);
            double[] first = ConvRelu(input, height, width, inputChannels, w1, b1, channels, sw, sb);
            features[n] = ConvRelu(first, height, width, channels, w2, b2, channels, sw, sb);
        }

        return features;
    }

    /// <summary>E over the readout of f(x)f(x′): Flatten averages over all P·C features, GlobalAvgPool first averages each channel over the pixels.</summary>
    public static double Readout(double[] x, double[] y, int pixels, int channels, bool globalPool, double sw, double sb)
    {
        double sum = 0;
        if (!globalPool)
        {
            for (int e = 0; e < x.Length; e++)
            {
                sum += x[e] * y[e];
            }

            return sb + sw * sum / (pixels * channels);
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

    /// <summary>ReLU(conv 3 × 3 same, stride 1) of a [p·C_in + c] feature map into C_out channels.</summary>
    private static double[] ConvRelu(double[] input, int height, int width, int inputChannels, double[] weights, double[] bias, int outputChannels, double sw, double sb)
    {
        double scale = Math.Sqrt(sw / (inputChannels * Filter * Filter)), biasScale = Math.Sqrt(sb);
        var output = new double[height * width * outputChannels];
        int lanes = Vector<double>.Count;
        for (int h = 0; h < height; h++)
        {
            for (int w = 0; w < width; w++)
            {
                Span<double> z = output.AsSpan((h * width + w) * outputChannels, outputChannels);
                for (int dh = 0; dh < Filter; dh++)
                {
                    for (int dw = 0; dw < Filter; dw++)
                    {
                        int sh = h + dh - 1, swidth = w + dw - 1;
                        if (sh < 0 || sh >= height || swidth < 0 || swidth >= width)
                        {
                            continue;
                        }

                        for (int c = 0; c < inputChannels; c++)
                        {
                            double a = input[(sh * width + swidth) * inputChannels + c];
                            ReadOnlySpan<double> row = weights.AsSpan(((dh * Filter + dw) * inputChannels + c) * outputChannels, outputChannels);
                            int k = 0;
                            var va = new Vector<double>(a);
                            for (; k <= outputChannels - lanes; k += lanes)
                            {
                                (new Vector<double>(z[k..]) + va * new Vector<double>(row[k..])).CopyTo(z[k..]);
                            }

                            for (; k < outputChannels; k++)
                            {
                                z[k] += a * row[k];
                            }
                        }
                    }
                }

                for (int k = 0; k < outputChannels; k++)
                {
                    z[k] = Math.Max(scale * z[k] + biasScale * bias[k], 0);
                }
            }
        }

        return output;
    }

    private static double[] Flatten(double[,,] image)
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
