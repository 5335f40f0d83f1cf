namespace GpuNngp.Engine.Architecture;

/// <summary>
/// One axis of a sliding window over an image (a filter or a pooling window): how many outputs it
/// gives and which input position each (output, offset) reads — lax's conventions, which Neural
/// Tangents follows: SAME pads max((⌈n/s⌉ − 1)·s + k − n, 0) with the smaller half before, VALID
/// reads inside the image only, CIRCULAR takes SAME's positions modulo n.
/// </summary>
internal readonly record struct WindowAxis
{
    public WindowAxis(int input, int window, int stride, SpatialPadding padding)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        Input = input;
        Window = window;
        Stride = stride;
        Padding = padding;
        if (padding == SpatialPadding.Valid)
        {
            Output = input >= window ? (input - window) / stride + 1 : 0;
            PadBefore = 0;
        }
        else
        {
            Output = (input + stride - 1) / stride;
            PadBefore = Math.Max((Output - 1) * stride + window - input, 0) / 2;
        }
    }

    public int Input { get; }

    public int Window { get; }

    public int Stride { get; }

    public SpatialPadding Padding { get; }

    /// <summary>Outputs along this axis; 0 when a VALID window is longer than the image.</summary>
    public int Output { get; }

    /// <summary>The zeros (or wrapped positions) before the first input position.</summary>
    public int PadBefore { get; }

    /// <summary>The input position output <paramref name="output"/> reads at window offset <paramref name="offset"/>; −1 where it falls on a zero of the padding.</summary>
    public int Source(int output, int offset)
    {
        int position = output * Stride - PadBefore + offset;
        if (Padding == SpatialPadding.Circular)
        {
            return ((position % Input) + Input) % Input;
        }

        return position >= 0 && position < Input ? position : -1;
    }
}
