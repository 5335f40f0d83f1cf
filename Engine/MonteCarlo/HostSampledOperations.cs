using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// The CPU provider's <see cref="SampledOperations"/>: loops over its native buffers, the window
/// steps and the contraction parallel over points. Each loop computes what the device kernel of the
/// same name does, one element at a time in the same order.
/// </summary>
internal sealed unsafe class HostSampledOperations(CpuProvider provider) : SampledOperations(provider)
{
    public override bool RunsCustomActivations => true;

    public override IndexTable Table(int[] values) => new(values);

    public override void WindowGather(ProviderBuffer input, ProviderBuffer output, SampledWindow window, int channels, int points, double scale, bool patches)
    {
        double* from = Pointer(input), to = Pointer(output);
        int[] sources = window.Sources.Values;
        int offsets = window.Offsets, inPixels = window.InPixels, outPixels = window.OutPixels;
        Parallel.For(0, points, x =>
        {
            for (int p = 0; p < outPixels; p++)
            {
                long column = p + (long)outPixels * x;
                if (!patches)
                {
                    new Span<double>(to + channels * column, channels).Clear();
                }

                for (int d = 0; d < offsets; d++)
                {
                    int s = sources[p * offsets + d];
                    double* source = s < 0 ? null : from + channels * (s + (long)inPixels * x);
                    if (patches)
                    {
                        double* target = to + (long)offsets * channels * column + d * channels;
                        for (int c = 0; c < channels; c++)
                        {
                            target[c] = source == null ? 0 : source[c];
                        }
                    }
                    else if (source != null)
                    {
                        double* target = to + channels * column;
                        for (int c = 0; c < channels; c++)
                        {
                            target[c] += source[c];
                        }
                    }
                }

                if (!patches)
                {
                    double* target = to + channels * column;
                    for (int c = 0; c < channels; c++)
                    {
                        target[c] *= scale;
                    }
                }
            }
        });
    }

    public override void WindowScatter(ProviderBuffer outputGradient, ProviderBuffer inputGradient, SampledWindow window, int channels, int points, double scale, bool patches)
    {
        double* from = Pointer(outputGradient), to = Pointer(inputGradient);
        int[] starts = window.Starts.Values, entries = window.Entries.Values;
        int offsets = window.Offsets, inPixels = window.InPixels, outPixels = window.OutPixels;
        Parallel.For(0, points, x =>
        {
            for (int a = 0; a < inPixels; a++)
            {
                double* target = to + channels * (a + (long)inPixels * x);
                new Span<double>(target, channels).Clear();
                for (int e = starts[a]; e < starts[a + 1]; e++)
                {
                    int outPixel = entries[e] / offsets, delta = entries[e] % offsets;
                    long outColumn = outPixel + (long)outPixels * x;
                    double* source = patches ? from + delta * channels + (long)offsets * channels * outColumn : from + channels * outColumn;
                    for (int c = 0; c < channels; c++)
                    {
                        target[c] += source[c];
                    }
                }

                for (int c = 0; c < channels; c++)
                {
                    target[c] *= scale;
                }
            }
        });
    }

    public override void AddBias(ProviderBuffer z, ProviderBuffer bias, int rows, double scale)
    {
        double* values = Pointer(z), b = Pointer(bias);
        for (long i = 0; i < z.Length; i++)
        {
            values[i] += scale * b[i % rows];
        }
    }

    public override void Activate(ProviderBuffer z, ProviderBuffer output, ProviderBuffer? derivative, UnitActivation activation)
    {
        double* pre = Pointer(z), post = Pointer(output);
        double* slope = derivative is null ? null : Pointer(derivative);
        for (long i = 0; i < z.Length; i++)
        {
            double value = pre[i];
            post[i] = activation.Value(value);
            if (slope != null)
            {
                slope[i] = activation.Derivative(value);
            }
        }
    }

    public override void Product(ProviderBuffer target, ProviderBuffer a, ProviderBuffer b)
    {
        double* t = Pointer(target), x = Pointer(a), y = Pointer(b);
        for (long i = 0; i < target.Length; i++)
        {
            t[i] = x[i] * y[i];
        }
    }

    public override void Accumulate(ProviderBuffer target, ProviderBuffer source)
    {
        double* t = Pointer(target), s = Pointer(source);
        for (long i = 0; i < target.Length; i++)
        {
            t[i] += s[i];
        }
    }

    public override void Contract(
        ProviderBuffer sum, ProviderBuffer gradientGram, ProviderBuffer inputGram, int pixels, int rowStart, int rowCount, int columnStart, int columnCount, int points, double weightScale, double bias)
    {
        double* total = Pointer(sum), g = Pointer(gradientGram), a = Pointer(inputGram);
        long rows = (long)pixels * rowCount;
        Parallel.For(0, columnCount, s =>
        {
            for (int r = 0; r < rowCount; r++)
            {
                double entry = 0;
                for (int q = 0; q < pixels; q++)
                {
                    long column = rows * ((long)s * pixels + q);
                    for (int p = 0; p < pixels; p++)
                    {
                        long at = (long)r * pixels + p + column;
                        entry += g[at] * (weightScale * a[at] + bias);
                    }
                }

                total[rowStart + r + (long)points * (columnStart + s)] += entry;
            }
        });
    }

    private static double* Pointer(ProviderBuffer buffer) =>
        (buffer as CpuBuffer ?? throw new ArgumentException($"a {buffer.GetType().Name} is not a CPU buffer", nameof(buffer))).Storage.Pointer;
}
